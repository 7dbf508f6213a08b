import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Redis } from "../redis.ts";
import { Semaphore } from "../semaphore.ts";

/**
 * Keeps LLM calls within the provider's limits however many requests arrive at once: at most
 * `concurrency` streams per process, and at most `perMinute` starts per minute across all
 * processes (shared through Redis). Work waits its turn instead of failing with 429s.
 */
export class LlmGate {
  private readonly streams: Semaphore;
  private readonly starts: RateLimiterAbstract;

  constructor(opts: { concurrency: number; perMinute: number; redis: Redis | null; keyPrefix?: string }) {
    this.streams = new Semaphore({ permits: opts.concurrency });
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
    return this.streams.inUse;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.streams.run(async () => {
      await this.waitForRate();
      return work();
    });
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
