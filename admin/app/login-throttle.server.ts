import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import type { Redis } from "../../core/redis.ts";

/**
 * Failed sign-ins slow down the next try, per account and per client address (the real one:
 * see TRUST_PROXY): a few failures are free, then each one doubles the wait, up to a cap of
 * minutes. Guessing stays hopeless (a few hundred tries a day per account), while nobody — not
 * a colleague behind the same proxy, not a stranger who knows the admin's address — can lock an
 * account out for a day.
 */
export const BACKOFF = {
  account: { free: 5 },
  address: { free: 20 },
  firstWaitSeconds: 1,
  maxWaitSeconds: 15 * 60,
  /** Failures are forgotten after a quiet day. */
  windowSeconds: 24 * 3600,
} as const;
type Scope = "account" | "address";
const SCOPES: Scope[] = ["account", "address"];

/** Seconds to wait after the n-th failure in a row (0 while still free). */
export function backoffSeconds(scope: Scope, failures: number): number {
  const over = failures - BACKOFF[scope].free;
  if (over <= 0) return 0;
  return Math.min(BACKOFF.maxWaitSeconds, BACKOFF.firstWaitSeconds * 2 ** Math.min(over - 1, 30));
}

export interface LoginThrottle {
  /** Milliseconds until this IP may try this email again; 0 when it may try now. */
  waitMs(ip: string, email: string): Promise<number>;
  /** Counts a failed attempt; returns the wait it caused (0 while still allowed). */
  failed(ip: string, email: string): Promise<number>;
  succeeded(ip: string, email: string): Promise<void>;
}

export function createLoginThrottle(redis: Redis | null, keyPrefix = "ab:login"): LoginThrottle {
  const failures = limiter(redis, `${keyPrefix}:failures`, {
    points: 1_000_000,
    duration: BACKOFF.windowSeconds,
  });
  const waits = limiter(redis, `${keyPrefix}:wait`, { points: 1, duration: BACKOFF.maxWaitSeconds });
  const keys = (ip: string, email: string): Record<Scope, string> => ({
    account: `a:${email.trim().toLowerCase()}`,
    address: `ip:${ip}`,
  });
  const waitOf = async (key: string) => {
    const res = await waits.get(key);
    return res && res.consumedPoints > 1 ? res.msBeforeNext : 0;
  };

  return {
    async waitMs(ip, email) {
      const k = keys(ip, email);
      return Math.max(0, ...(await Promise.all(SCOPES.map((s) => waitOf(k[s])))));
    },
    async failed(ip, email) {
      const k = keys(ip, email);
      const caused = await Promise.all(
        SCOPES.map(async (scope) => {
          const count = await failures.consume(k[scope]).catch((rejection: unknown) => {
            // A store failure rejects with an Error; a refusal (never, at these points) with a result.
            if (rejection instanceof Error) throw rejection;
            return rejection as RateLimiterRes;
          });
          const seconds = backoffSeconds(scope, count.consumedPoints);
          if (seconds > 0) await waits.block(k[scope], seconds);
          return seconds * 1000;
        }),
      );
      return Math.max(0, ...caused);
    },
    async succeeded(ip, email) {
      // The account's count starts again; the address keeps its own (one person's success says
      // nothing of the others guessing from there).
      await failures.delete(keys(ip, email).account);
    },
  };
}

function limiter(
  redis: Redis | null,
  keyPrefix: string,
  rule: { points: number; duration: number },
): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, ...rule });
  if (!redis) return memory;
  // While Redis is unreachable each process counts in memory, as the quotas do (core/quota).
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    ...rule,
    insuranceLimiter: memory,
    rejectIfRedisNotReady: true,
  });
}
