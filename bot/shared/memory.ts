import type { Redis } from "../../core/redis.ts";

/**
 * What a chat platform remembers for minutes or hours: events already taken (Slack retries with
 * the same event_id, LINE redelivers with the same webhookEventId), choices and display names.
 * Redis when configured (shared by every bot process), else this process's memory (the
 * embedded profile is one process).
 */
export interface ShortMemory {
  /** True for the first caller within `ttlSeconds`; false for every later one. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** `prefix` keeps each platform's keys apart in a shared Redis ("ab:slack:", "ab:line:"). */
export function shortMemory(redis: Redis | null, prefix: string): ShortMemory {
  return redis ? new RedisMemory(redis, prefix) : new ProcessMemory();
}

class RedisMemory implements ShortMemory {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, "1", "EX", ttlSeconds, "NX")) === "OK";
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, "EX", ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

/** Bounded: past MAX_KEYS the oldest entries go first (Map keeps insertion order). */
class ProcessMemory implements ShortMemory {
  private static readonly MAX_KEYS = 100_000;
  private readonly entries = new Map<string, { value: string; expires: number }>();

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.put(key, "1", ttlSeconds);
    return true;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.put(key, value, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private live(key: string) {
    const e = this.entries.get(key);
    if (e && e.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private put(key: string, value: string, ttlSeconds: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    while (this.entries.size > ProcessMemory.MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
  }
}
