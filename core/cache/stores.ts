import type { Redis } from "../redis.ts";
import type { CachedDraft } from "./topic-cache.ts";

/** A query embedding indexed for semantic lookup within one scope ("space") and facet. */
export interface IndexedVector {
  space: string;
  facet: string;
  vector: ArrayLike<number>;
}

/** The live copy of the topic cache: Redis in production, memory in the embedded profile. */
export interface CacheStore {
  get(key: string): Promise<CachedDraft | null>;
  set(key: string, draft: CachedDraft, ttlSeconds: number, vector?: IndexedVector): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Candidates for a semantic match; expired ones are pruned on the way. */
  vectors(space: string, facet: string): Promise<Array<{ key: string; vector: ArrayLike<number> }>>;
}

/**
 * A vector in the Redis index: its expiry (ms, float64) then its values (float32), little-endian.
 * Binary rather than JSON because every semantic lookup reads a whole facet (up to
 * MAX_VECTORS_PER_FACET vectors of 1,536 values): as JSON that was ~30 KB to parse per vector.
 * Embeddings are float32 already (the embedder keeps them so), so nothing is lost.
 */
export function encodeIndexed(vector: ArrayLike<number>, exp: number): Buffer {
  const buf = Buffer.allocUnsafe(8 + vector.length * 4);
  buf.writeDoubleLE(exp, 0);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, 8 + i * 4);
  return buf;
}

export function decodeIndexed(raw: Buffer): { vector: Float32Array; exp: number } {
  // Written before the binary format: {"v":[...],"exp":...}. Read until it expires.
  if (raw[0] === 0x7b) {
    const { v, exp } = JSON.parse(raw.toString("utf8")) as { v: number[]; exp: number };
    return { vector: Float32Array.from(v), exp };
  }
  const vector = new Float32Array((raw.length - 8) >> 2);
  for (let i = 0; i < vector.length; i++) vector[i] = raw.readFloatLE(8 + i * 4);
  return { vector, exp: raw.readDoubleLE(0) };
}

// A scope holds at most this many vectors: the semantic scan stays a few milliseconds.
const MAX_VECTORS_PER_FACET = 500;

export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<CachedDraft | null> {
    const raw = await this.redis.get(`${this.prefix}:e:${key}`);
    return raw ? (JSON.parse(raw) as CachedDraft) : null;
  }

  async set(key: string, draft: CachedDraft, ttlSeconds: number, vector?: IndexedVector): Promise<void> {
    const multi = this.redis.multi().set(`${this.prefix}:e:${key}`, JSON.stringify(draft), "EX", ttlSeconds);
    if (vector) {
      const index = this.indexKey(vector.space, vector.facet);
      multi.hset(index, key, encodeIndexed(vector.vector, Date.now() + ttlSeconds * 1000));
      multi.expire(index, ttlSeconds, "GT").expire(index, ttlSeconds, "NX");
    }
    await multi.exec();
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys.length) return;
    const multi = this.redis.multi().del(...keys.map((k) => `${this.prefix}:e:${k}`));
    for (const key of keys) {
      const [space, facet] = key.split(":");
      multi.hdel(this.indexKey(space!, facet!), key);
    }
    await multi.exec();
  }

  async vectors(space: string, facet: string): Promise<Array<{ key: string; vector: ArrayLike<number> }>> {
    const index = this.indexKey(space, facet);
    const all = await this.redis.hgetallBuffer(index);
    const now = Date.now();
    const live: Array<{ key: string; vector: Float32Array; exp: number }> = [];
    const expired: string[] = [];
    for (const [key, raw] of Object.entries(all)) {
      const { vector, exp } = decodeIndexed(raw);
      if (exp < now) expired.push(key);
      else live.push({ key, vector, exp });
    }
    live.sort((a, b) => b.exp - a.exp);
    expired.push(...live.splice(MAX_VECTORS_PER_FACET).map((e) => e.key));
    if (expired.length) await this.redis.hdel(index, ...expired);
    return live;
  }

  private indexKey(space: string, facet: string): string {
    return `${this.prefix}:v:${space}:${facet}`;
  }
}

export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, { draft: CachedDraft; exp: number; vector?: IndexedVector }>();

  constructor(private readonly maxEntries = 5_000) {}

  async get(key: string): Promise<CachedDraft | null> {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.exp < Date.now()) {
      this.entries.delete(key);
      return null;
    }
    this.entries.delete(key); // re-insert: Map order is the LRU order
    this.entries.set(key, e);
    return e.draft;
  }

  async set(key: string, draft: CachedDraft, ttlSeconds: number, vector?: IndexedVector): Promise<void> {
    this.entries.delete(key);
    // float32, as the embedder keeps vectors: half the memory of a number[] for the same values
    const kept = vector && { ...vector, vector: Float32Array.from(vector.vector) };
    this.entries.set(key, { draft, exp: Date.now() + ttlSeconds * 1000, vector: kept });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async delete(keys: string[]): Promise<void> {
    for (const k of keys) this.entries.delete(k);
  }

  async vectors(space: string, facet: string): Promise<Array<{ key: string; vector: ArrayLike<number> }>> {
    const now = Date.now();
    const out: Array<{ key: string; vector: ArrayLike<number> }> = [];
    for (const [key, e] of this.entries) {
      if (e.vector?.space === space && e.vector.facet === facet && e.exp >= now)
        out.push({ key, vector: e.vector.vector });
    }
    return out.slice(-MAX_VECTORS_PER_FACET);
  }
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || !a.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
