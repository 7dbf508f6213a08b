import OpenAI from "openai";
import type { Embedder } from "./types.ts";

export interface OpenAIEmbedderOptions {
  apiKey: string;
  /** Any OpenAI-compatible server; the SDK's default when unset. */
  baseUrl?: string;
  model: string;
  /** Per request; the SDK retries a timed-out request like a 5xx. */
  timeoutMs?: number;
  /** Retries after the first attempt (429, 5xx, connection errors), with the SDK's backoff. */
  maxRetries?: number;
  /** Inputs per request. */
  batchSize?: number;
  /** The model's width, when it is not one of OpenAI's own (a model behind OPENAI_BASE_URL). */
  dimensions?: number;
}

/** Widths of OpenAI's models; any other model's width is asked of the model itself (resolveDimensions). */
const KNOWN_DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/**
 * OpenAI embeddings through the official client. Inputs go in batches of at most 96 (well under
 * the API's 2,048, so one slow batch never holds hundreds of texts hostage to a retry), and the
 * bill is the sum of `usage.prompt_tokens`.
 */
export class OpenAIEmbedder implements Embedder {
  readonly model: string;
  dimensions: number;
  private readonly client: OpenAI;
  private readonly batchSize: number;
  private known: boolean;
  /** Tokens of the width probe, billed with the next real call so none go unreported. */
  private unbilled = 0;

  constructor(opts: OpenAIEmbedderOptions) {
    this.model = opts.model;
    const width = opts.dimensions ?? KNOWN_DIMENSIONS[opts.model];
    this.known = width !== undefined;
    this.dimensions = width ?? 1536;
    this.batchSize = Math.min(96, Math.max(1, opts.batchSize ?? 96));
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: opts.baseUrl,
      timeout: opts.timeoutMs ?? 15_000,
      maxRetries: opts.maxRetries ?? 2,
    });
  }

  /**
   * The width vector stores must be created with. For a model we do not know (any server behind
   * OPENAI_BASE_URL), one short text is embedded once to find out.
   */
  async resolveDimensions(): Promise<number> {
    if (!this.known) {
      const res = await this.client.embeddings.create({ model: this.model, input: ["dimensions"] });
      this.dimensions = res.data[0]?.embedding.length ?? this.dimensions;
      this.unbilled += res.usage?.prompt_tokens ?? 0;
      this.known = true;
    }
    return this.dimensions;
  }

  async embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    if (!this.known && texts.some((t) => !t.trim())) await this.resolveDimensions(); // the zero vector needs the width
    const vectors: number[][] = new Array(texts.length);
    let tokens = this.unbilled;
    this.unbilled = 0;
    // The API rejects empty strings; an empty text has no direction, so it gets the zero vector.
    const pending = texts
      .map((text, index) => ({ text, index }))
      .filter(({ text, index }) => {
        if (text.trim()) return true;
        vectors[index] = new Array(this.dimensions).fill(0);
        return false;
      });
    for (let start = 0; start < pending.length; start += this.batchSize) {
      const batch = pending.slice(start, start + this.batchSize);
      const res = await this.client.embeddings.create({ model: this.model, input: batch.map((b) => b.text) });
      tokens += res.usage?.prompt_tokens ?? 0;
      for (const item of res.data) {
        const target = batch[item.index];
        if (!target)
          throw new Error(
            `embedding response index ${item.index} is out of range (batch of ${batch.length})`,
          );
        vectors[target.index] = item.embedding;
        if (!this.known) [this.dimensions, this.known] = [item.embedding.length, true];
      }
    }
    for (let i = 0; i < texts.length; i++) {
      if (!vectors[i]) throw new Error(`embedding response is missing input ${i}`);
    }
    return { vectors, tokens };
  }
}
