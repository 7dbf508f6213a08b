import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Redis } from "../redis.ts";

/**
 * Keeps LLM calls within the provider's limits however many requests arrive at once: at most
 * `concurrency` streams per process, and at most `perMinute` starts per minute across all
 * processes (shared through Redis). Work waits its turn instead of failing with 429s.
 */
export class LlmGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly starts: RateLimiterAbstract;

  constructor(
    opts: { concurrency: number; perMinute: number; redis: Redis | null; keyPrefix?: string },
    private readonly concurrency = opts.concurrency,
  ) {
    const keyPrefix = opts.keyPrefix ?? "ab:llm";
    const memory = new RateLimiterMemory({ keyPrefix, points: opts.perMinute, duration: 60 });
    this.starts = opts.redis
      ? new RateLimiterRedis({
          storeClient: opts.redis,
          keyPrefix,
          points: opts.perMinute,
          duration: 60,
          insuranceLimiter: memory,
          rejectIfRedisNotReady: true,
        })
      : memory;
  }

  get inUse(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      await this.waitForRate();
      return await work();
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else this.active--;
  }

  private async waitForRate(): Promise<void> {
    for (;;) {
      try {
        await this.starts.consume("starts", 1);
        return;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) return; // the store failed: do not block work on it
        await new Promise((r) => setTimeout(r, Math.min(rejection.msBeforeNext + 5, 5_000)));
      }
    }
  }
}
