import { Redis } from "ioredis";

export type { Redis };

/**
 * One Redis connection for commands. Commands fail fast while Redis is down instead of
 * queueing without bound, so callers can fall back (quotas use an insurance limiter).
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on("error", () => undefined); // reported through /readyz and the callers' own errors
  return redis;
}
