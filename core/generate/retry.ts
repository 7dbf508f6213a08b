/** Retry timing for provider calls: exponential backoff with jitter, and the provider's own hints. */

export interface BackoffPolicy {
  /** First retry waits around this long; each later one doubles it. */
  baseDelayMs: number;
  /** Ceiling for the exponential part (a provider's retry-after may ask for more). */
  maxDelayMs: number;
}

/**
 * "Equal jitter": half the exponential delay is fixed, half random. Spreading retries keeps
 * a fleet of workers that failed together from hammering the provider together, while the
 * fixed half keeps a lone caller from retrying almost at once. A provider's retry-after is a
 * floor: retrying sooner only earns another 429.
 */
export function backoffDelay(
  retry: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/**
 * How long the provider asks us to wait: OpenAI's `retry-after-ms` (finer), else the standard
 * `retry-after` in seconds or as an HTTP date. Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Aborts a request that stays silent too long. It only runs while we wait on the provider:
 * the caller pauses it while a consumer handles a delta (posting to a chat can take seconds,
 * and that is not the provider being idle).
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  fired = false;

  constructor(private readonly controller: AbortController) {}

  arm(ms: number): void {
    this.pause();
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, ms);
  }

  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
