import type { Redis } from "../../core/redis.ts";

/**
 * What the Slack bot remembers for minutes or hours: events already taken (Slack retries with
 * the same event_id), display names. Redis when configured, so every bot process shares it;
 * else this process's memory (the embedded profile is one process).
 */
export interface ShortMemory {
  /** True for the first caller within `ttlSeconds`; false for every later one. */
  claim(key: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

const PREFIX = "ab:slack:";

/** The key under which a draft's thread is remembered (its parent message). */
export function draftThreadKey(channel: string, ts: string): string {
  return `thread:${channel}:${ts}`;
}

export function shortMemory(redis: Redis | null): ShortMemory {
  return redis ? new RedisMemory(redis) : new ProcessMemory();
}

class RedisMemory implements ShortMemory {
  constructor(private readonly redis: Redis) {}

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(PREFIX + key, "1", "EX", ttlSeconds, "NX")) === "OK";
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(PREFIX + key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(PREFIX + key, value, "EX", ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(PREFIX + key);
  }
}

/** Bounded: past MAX_KEYS the oldest entries go first (a Map keeps insertion order). */
class ProcessMemory implements ShortMemory {
  private static readonly MAX_KEYS = 100_000;
  private readonly entries = new Map<string, { value: string; expires: number }>();

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key) !== null) return false;
    this.put(key, "1", ttlSeconds);
    return true;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.put(key, value, ttlSeconds);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  private live(key: string): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  private put(key: string, value: string, ttlSeconds: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    if (this.entries.size > ProcessMemory.MAX_KEYS) this.entries.delete(this.entries.keys().next().value!);
  }
}
