import type { ArticleRequest, RevisionKind, Source } from "../domain.ts";

/** A chat message as the provider receives it. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** What `buildPrompt` produces and every generator consumes. */
export interface Prompt {
  /** System (house style), user (request and excerpts); then, when resuming, the draft so far and "continue". */
  messages: [ChatMessage & { role: "system" }, ChatMessage & { role: "user" }, ...ChatMessage[]];
  /** Input tokens as the provider will bill them (content plus chat framing). */
  promptTokens: number;
  /** The excerpts that fit the budget, best first: what the draft may cite. */
  sourcesUsed: Source[];
  /** Kept so a generator can size its output and the offline composer can work without a model. */
  request: ArticleRequest;
  /** Set when this prompt revises an existing draft (the offline composer outlines the revision). */
  revision?: { kind: RevisionKind; instruction: string };
  /** The template's name and hash (PROMPT_VERSION), recorded with the generation. */
  version: string;
}

export type GenerationEvent =
  | { type: "delta"; text: string }
  | {
      type: "usage";
      model: string;
      inputTokens: number;
      outputTokens: number;
      /** The provider sent no usage: counted locally with the tokenizer. */
      estimated?: boolean;
    };

export interface StreamOptions {
  signal?: AbortSignal;
  /** Overrides the configured model for this call (a tier's model, the playground). */
  model?: string;
}

/** The generator port: OpenAI-compatible chat completions, or the offline composer. */
export interface Generator {
  readonly model: string;
  /** True when no language model writes the text (the draft is an outline, not prose). */
  readonly offline: boolean;
  /** Text deltas in order, then exactly one usage event; throws GenerationError on failure. */
  stream(prompt: Prompt, opts?: StreamOptions): AsyncIterable<GenerationEvent>;
}

export type GenerationErrorCode =
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "circuit_open"
  | "bad_request"
  | "auth";

/**
 * The only failure a generator throws (besides the caller's own abort). `message` is safe to
 * log and to map to a user-facing text by code; the provider's raw words stay in `detail`
 * (logs only), because they can name models, organisations or quota numbers.
 */
export class GenerationError extends Error {
  override readonly name = "GenerationError";
  readonly code: GenerationErrorCode;
  /**
   * Running the same generation again could succeed and would not repeat text: false once a
   * delta went out (a new attempt would write a different draft after the part already posted).
   */
  readonly retryable: boolean;
  /** The provider's own error text and status, for logs. */
  readonly detail?: string;
  readonly status?: number;
  /** How long the provider or the circuit asks us to wait, when known. */
  readonly retryAfterMs?: number;

  constructor(
    code: GenerationErrorCode,
    init: { retryable: boolean; detail?: string; status?: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(SAFE_MESSAGES[code], init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.retryable = init.retryable;
    this.detail = init.detail;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

const SAFE_MESSAGES: Record<GenerationErrorCode, string> = {
  rate_limited: "The language model provider is rate limiting requests",
  unavailable: "The language model provider is unavailable",
  timeout: "The language model did not answer in time",
  circuit_open: "Generation is paused after repeated provider failures",
  bad_request: "The language model provider rejected the request",
  auth: "The language model provider refused the API key",
};
