import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";
import type { Redis } from "../../core/redis.ts";

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * rate-limiter-flexible's login brute-force recipe: only failures are counted, and an
 * attempt is refused while any counter is over its limit.
 * - per IP: one address guessing across many accounts;
 * - per email + IP: one address guessing one account (a success clears it, so a typo-prone
 *   admin is never locked out by their own history);
 * - per email: many addresses guessing one account. Its block is short because anyone who
 *   knows the address can trip it, and locking the real admin out for a day is its own attack.
 */
const RULES = {
  ip: { points: 100, duration: DAY, blockDuration: DAY },
  emailIp: { points: 10, duration: DAY, blockDuration: HOUR },
  email: { points: 50, duration: DAY, blockDuration: HOUR },
} as const;
type Rule = keyof typeof RULES;

export interface LoginThrottle {
  /** Milliseconds until this IP may try this email again; 0 when it may try now. */
  waitMs(ip: string, email: string): Promise<number>;
  /** Counts a failed attempt; returns the wait it caused (0 while still allowed). */
  failed(ip: string, email: string): Promise<number>;
  succeeded(ip: string, email: string): Promise<void>;
}

export function createLoginThrottle(redis: Redis | null, keyPrefix = "ab:login"): LoginThrottle {
  const limiters = Object.fromEntries(
    (Object.keys(RULES) as Rule[]).map((rule) => [rule, limiter(redis, `${keyPrefix}:${rule}`, RULES[rule])]),
  ) as Record<Rule, RateLimiterAbstract>;
  const keys = (ip: string, email: string): Record<Rule, string> => {
    const e = email.trim().toLowerCase();
    return { ip, emailIp: `${e}_${ip}`, email: e };
  };
  const each = (
    ip: string,
    email: string,
    act: (l: RateLimiterAbstract, key: string, rule: Rule) => Promise<number>,
  ) => {
    const k = keys(ip, email);
    return Promise.all((Object.keys(RULES) as Rule[]).map((rule) => act(limiters[rule], k[rule], rule))).then(
      (w) => Math.max(0, ...w),
    );
  };

  return {
    waitMs: (ip, email) =>
      each(ip, email, async (l, key, rule) => {
        const res = await l.get(key);
        return res && res.consumedPoints > RULES[rule].points ? res.msBeforeNext : 0;
      }),
    failed: (ip, email) =>
      each(ip, email, async (l, key) => {
        try {
          await l.consume(key);
          return 0;
        } catch (rejection) {
          // A store failure rejects with an Error; a refusal with the limiter's result.
          if (rejection instanceof Error) throw rejection;
          return (rejection as RateLimiterRes).msBeforeNext;
        }
      }),
    async succeeded(ip, email) {
      await limiters.emailIp.delete(keys(ip, email).emailIp);
    },
  };
}

function limiter(redis: Redis | null, keyPrefix: string, rule: (typeof RULES)[Rule]): RateLimiterAbstract {
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
