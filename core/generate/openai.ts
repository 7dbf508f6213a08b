import { setTimeout as sleep } from "node:timers/promises";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { ArticleRequest } from "../domain.ts";
import type { Logger } from "../logger.ts";
import { countTokens } from "../text/tokens.ts";
import { CircuitBreaker, type CircuitOptions, type CircuitState } from "./circuit.ts";
import { type BackoffPolicy, backoffDelay, retryAfterMs, Watchdog } from "./retry.ts";
import { readChatStream, type StreamRead } from "./sse.ts";
import {
  GenerationError,
  type GenerationEvent,
  type Generator,
  type Prompt,
  type StreamOptions,
} from "./types.ts";

export interface OpenAIGeneratorOptions {
  apiKey: string;
  /** Any OpenAI-compatible server; the SDK's default (api.openai.com) when unset. */
  baseUrl?: string;
  model: string;
  logger?: Logger;
  /** From sending the request to the first text delta (covers a server that never answers). */
  firstTokenTimeoutMs?: number;
  /** Longest silence between chunks once text is flowing. */
  idleTimeoutMs?: number;
  /** Attempts per generation, the first included; retries happen only before any text. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** A retry-after longer than this is not waited out in-line: the job fails and can be retried later. */
  maxRetryAfterMs?: number;
  /** Pass one breaker to share it between generators talking to the same provider. */
  circuit?: CircuitBreaker | CircuitOptions;
}

const DEFAULTS = {
  firstTokenTimeoutMs: 20_000,
  idleTimeoutMs: 20_000,
  maxAttempts: 3,
  backoff: { baseDelayMs: 500, maxDelayMs: 8_000 },
  maxRetryAfterMs: 20_000,
  circuit: { failureThreshold: 5, windowMs: 60_000, coolDownMs: 30_000 },
};

/**
 * Output tokens per word, measured on house-style drafts (words counted with Intl.Segmenter,
 * as delivery counts them): gpt-4o's o200k tokenizer spends 1.18 per English word and 1.67 per
 * Thai word; cl100k-era and unknown tokenizers spend ~3.8 per Thai word. Rounded up for
 * markdown and variance.
 */
const TOKENS_PER_WORD = { o200k: { en: 1.3, th: 1.8 }, other: { en: 1.3, th: 4.0 } } as const;
/** Models overshoot "about N words"; max_tokens is a cost ceiling, and cutting a draft short is worse. */
const LENGTH_HEADROOM = 1.5;
const TITLE_AND_HEADINGS = 200;

const O200K_MODELS = /^(ft:)?(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d)/;
/** Reasoning models reject max_tokens and take max_completion_tokens instead. */
const REASONING_MODELS = /^(ft:)?(o\d|gpt-5)/;

export function maxOutputTokens(
  request: Pick<ArticleRequest, "targetWords" | "language">,
  model: string,
): number {
  const perWord = TOKENS_PER_WORD[O200K_MODELS.test(model) ? "o200k" : "other"][request.language];
  return Math.ceil(request.targetWords * perWord * LENGTH_HEADROOM + TITLE_AND_HEADINGS);
}

/** Chat Completions, streamed, with our own timeouts, retries and circuit breaker. */
export class OpenAIGenerator implements Generator {
  readonly offline = false;
  readonly model: string;
  readonly circuit: CircuitBreaker;
  private readonly client: OpenAI;
  private readonly opts: Omit<typeof DEFAULTS, "circuit">;
  private readonly logger?: Logger;

  constructor(options: OpenAIGeneratorOptions) {
    this.model = options.model;
    this.logger = options.logger?.child({ component: "generate", provider: "openai" });
    this.opts = {
      firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? DEFAULTS.firstTokenTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      maxAttempts: Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts),
      backoff: options.backoff ?? DEFAULTS.backoff,
      maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs,
    };
    this.circuit =
      options.circuit instanceof CircuitBreaker
        ? options.circuit
        : new CircuitBreaker(options.circuit ?? DEFAULTS.circuit);
    // The SDK's retries would re-send after text went out and ignore our breaker: ours only.
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseUrl, maxRetries: 0 });
  }

  async *stream(prompt: Prompt, opts: StreamOptions = {}): AsyncGenerator<GenerationEvent> {
    const model = opts.model ?? this.model;
    const progress = { yielded: false };
    for (let attempt = 1; ; attempt++) {
      if (!this.circuit.tryAcquire()) {
        throw new GenerationError("circuit_open", {
          retryable: true,
          retryAfterMs: this.circuit.retryAfterMs(),
        });
      }
      let settled = false;
      try {
        yield* this.attempt(prompt, model, opts.signal, progress);
        settled = true;
        this.circuit.recordSuccess();
        return;
      } catch (err) {
        if (opts.signal?.aborted) throw err; // the caller gave up: says nothing about the provider
        const error = toGenerationError(err, progress.yielded);
        settled = true;
        if (countsAsOutage(error)) this.recordOutage(model);
        else this.circuit.recordSuccess(); // the provider answered; the request was at fault
        const delay = this.retryDelay(error, attempt);
        this.logger?.warn(
          {
            attempt,
            model,
            code: error.code,
            status: error.status,
            detail: error.detail,
            retryInMs: delay,
            afterText: progress.yielded,
          },
          "chat completion failed",
        );
        if (delay === undefined) throw error;
        await sleep(delay, undefined, { signal: opts.signal });
      } finally {
        if (!settled) this.circuit.release(); // the consumer stopped iterating or aborted
      }
    }
  }

  private recordOutage(model: string): void {
    const before = this.circuit.state;
    this.circuit.recordFailure();
    const after: CircuitState = this.circuit.state;
    if (before === "closed" && after === "open") {
      this.logger?.error(
        { model, coolDownMs: this.circuit.retryAfterMs() },
        "circuit opened: generation fails fast until the provider recovers",
      );
    }
  }

  /** Milliseconds to wait before the next attempt, or undefined when this failure is final. */
  private retryDelay(error: GenerationError, attempt: number): number | undefined {
    if (!error.retryable || attempt >= this.opts.maxAttempts) return undefined;
    if ((error.retryAfterMs ?? 0) > this.opts.maxRetryAfterMs) return undefined;
    return backoffDelay(attempt, this.opts.backoff, error.retryAfterMs);
  }

  private async *attempt(
    prompt: Prompt,
    model: string,
    signal: AbortSignal | undefined,
    progress: { yielded: boolean },
  ): AsyncGenerator<GenerationEvent> {
    const controller = new AbortController();
    const watchdog = new Watchdog(controller);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let text = "";
    try {
      watchdog.arm(this.opts.firstTokenTimeoutMs);
      // The SDK checks the status and raises its errors; the events are read by readChatStream.
      const response = await this.client.chat.completions
        .create(
          {
            model,
            messages: prompt.messages,
            stream: true,
            stream_options: { include_usage: true },
            ...lengthLimit(model, maxOutputTokens(prompt.request, model)),
          },
          { signal: controller.signal },
        )
        .asResponse();
      let finishReason: string | null = null;
      let usage: StreamRead["usage"] = null;
      for await (const read of readChatStream(response)) {
        if (read.finishReason) finishReason = read.finishReason;
        if (read.usage) usage = read.usage;
        if (!read.text) continue;
        text += read.text;
        progress.yielded = true;
        watchdog.pause();
        yield { type: "delta", text: read.text };
        watchdog.arm(this.opts.idleTimeoutMs);
      }
      watchdog.pause();
      // The SDK ends an aborted stream quietly, and a dropped connection can look like an end.
      if (watchdog.fired) throw timeoutError(progress.yielded);
      if (signal?.aborted) throw signal.reason;
      if (!finishReason) {
        throw new GenerationError("unavailable", {
          retryable: !progress.yielded,
          detail: "stream ended without a finish_reason",
        });
      }
      if (finishReason !== "stop")
        this.logger?.warn({ model, finishReason }, "draft did not finish normally");
      yield usageEvent(model, prompt, text, usage);
    } catch (err) {
      if (watchdog.fired) throw timeoutError(progress.yielded);
      if (signal?.aborted) throw signal.reason; // the caller's own reason, whichever SDK step noticed
      throw err;
    } finally {
      watchdog.pause();
      signal?.removeEventListener("abort", onAbort);
    }
  }
}

function lengthLimit(
  model: string,
  tokens: number,
): { max_tokens: number } | { max_completion_tokens: number } {
  return REASONING_MODELS.test(model) ? { max_completion_tokens: tokens } : { max_tokens: tokens };
}

/**
 * The provider's count when it sent one. Some OpenAI-compatible servers ignore
 * stream_options.include_usage: then count locally and say so, never report zero.
 */
function usageEvent(
  model: string,
  prompt: Prompt,
  text: string,
  usage: StreamRead["usage"],
): GenerationEvent {
  // We report the model we asked for, not the dated snapshot the API echoes: prices and
  // metric labels are keyed by the configured id.
  if (usage)
    return { type: "usage", model, inputTokens: usage.promptTokens, outputTokens: usage.completionTokens };
  return {
    type: "usage",
    model,
    inputTokens: prompt.promptTokens,
    outputTokens: countTokens(text),
    estimated: true,
  };
}

function timeoutError(afterText: boolean): GenerationError {
  return new GenerationError("timeout", {
    retryable: !afterText,
    detail: afterText ? "idle timeout between chunks" : "no first token in time",
  });
}

/** Rate limits, server errors and timeouts mean the provider is struggling; a 400 or 401 does not. */
function countsAsOutage(error: GenerationError): boolean {
  return error.code === "rate_limited" || error.code === "unavailable" || error.code === "timeout";
}

/** Maps anything the SDK or the network throws to our codes; raw words go to `detail` only. */
export function toGenerationError(err: unknown, afterText: boolean): GenerationError {
  const retryable = (yes: boolean) => yes && !afterText;
  if (err instanceof GenerationError) {
    if (!err.retryable || !afterText) return err;
    return new GenerationError(err.code, {
      retryable: false,
      detail: err.detail,
      status: err.status,
      cause: err,
    });
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (err instanceof APIConnectionTimeoutError)
    return new GenerationError("timeout", { retryable: retryable(true), detail, cause: err });
  if (err instanceof APIConnectionError)
    return new GenerationError("unavailable", { retryable: retryable(true), detail, cause: err });
  if (!(err instanceof APIError))
    return new GenerationError("unavailable", { retryable: retryable(true), detail, cause: err });

  const status = err.status;
  const info = {
    status,
    detail: err.requestID ? `${detail} (request ${err.requestID})` : detail,
    cause: err,
  };
  if (status === 401 || status === 403) return new GenerationError("auth", { ...info, retryable: false });
  if (status === 429 && err.code === "insufficient_quota") {
    // Billing, not load: waiting will not help, and an operator has to act.
    return new GenerationError("unavailable", { ...info, retryable: false });
  }
  if (status === 429)
    return new GenerationError("rate_limited", {
      ...info,
      retryable: retryable(true),
      retryAfterMs: retryAfterMs(err.headers),
    });
  if (status === 408) return new GenerationError("timeout", { ...info, retryable: retryable(true) });
  if (status === 409 || status === undefined || status >= 500) {
    // 409 is a transient conflict; no status means an error event inside the stream.
    return new GenerationError("unavailable", {
      ...info,
      retryable: retryable(true),
      retryAfterMs: retryAfterMs(err.headers),
    });
  }
  return new GenerationError("bad_request", { ...info, retryable: false });
}
