import { createHash } from "node:crypto";
import { type Database, Prisma } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { Lru } from "./lru.ts";
import type { Embedder, EmbeddingCacheStats } from "./types.ts";

export interface CachedEmbedderOptions {
  /** The shared tier (EmbeddingCacheEntry); null keeps the cache in this process only. */
  db?: Database | null;
  /** Vectors kept in memory; a 1,536-wide vector is 6 KiB as Float32Array. */
  capacity?: number;
  logger?: Logger;
}

export function textHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * No text is embedded twice: an in-process LRU in front of the EmbeddingCacheEntry table (shared
 * by every process on the database), keyed by model + sha256(text). Concurrent requests for the
 * same text share one call. The tokens it reports are only those the model actually billed.
 * A failing cache table never fails an embedding: the text is embedded and the failure logged.
 */
export class CachedEmbedder implements Embedder {
  private readonly lru: Lru<string, Float32Array>;
  private readonly inFlight = new Map<string, Promise<Float32Array>>();
  /** Table writes still on their way (see `fill`). */
  private readonly writes = new Set<Promise<void>>();
  private readonly db: Database | null;
  private readonly counters = { memoryHits: 0, databaseHits: 0, misses: 0, tokensSpent: 0 };

  constructor(
    readonly inner: Embedder,
    private readonly opts: CachedEmbedderOptions = {},
  ) {
    this.lru = new Lru(opts.capacity ?? 2_000);
    this.db = opts.db ?? null;
  }

  get model(): string {
    return this.inner.model;
  }

  get dimensions(): number {
    return this.inner.dimensions;
  }

  stats(): EmbeddingCacheStats {
    const { memoryHits, databaseHits, misses, tokensSpent } = this.counters;
    return {
      hits: memoryHits + databaseHits,
      memoryHits,
      databaseHits,
      misses,
      entries: this.lru.size,
      capacity: this.lru.capacity,
      tokensSpent,
    };
  }

  async embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    const keys = texts.map(textHash);
    const found = new Map<string, Float32Array | Promise<Float32Array>>();
    const missing = new Map<string, string>(); // key -> text, each once
    for (const [i, key] of keys.entries()) {
      if (found.has(key) || missing.has(key)) continue;
      const hit = this.lru.get(key) ?? this.inFlight.get(key);
      if (hit) found.set(key, hit);
      else missing.set(key, texts[i]!);
    }
    let filled = { tokens: 0, databaseHits: 0, misses: 0 };
    if (missing.size) {
      const work = this.fill(missing);
      for (const key of missing.keys()) {
        const one = work.then((r) => r.vectors.get(key)!);
        one.catch(() => undefined); // the caller awaits `work` itself; waiters see the same error
        this.inFlight.set(key, one);
        found.set(key, one);
      }
      try {
        filled = await work;
      } finally {
        for (const key of missing.keys()) this.inFlight.delete(key);
      }
    }
    const vectors: number[][] = [];
    for (const key of keys) vectors.push(Array.from(await found.get(key)!));
    // Everything not read from the table or embedded now came from memory (or another call in flight).
    this.counters.memoryHits += texts.length - filled.databaseHits - filled.misses;
    return { vectors, tokens: filled.tokens };
  }

  private async fill(missing: Map<string, string>) {
    const vectors = new Map<string, Float32Array>();
    const stored = await this.readTable([...missing.keys()]);
    for (const [key, vector] of stored) vectors.set(key, vector);
    const toEmbed = [...missing].filter(([key]) => !vectors.has(key));
    let tokens = 0;
    if (toEmbed.length) {
      const res = await this.inner.embed(toEmbed.map(([, text]) => text));
      tokens = res.tokens;
      for (const [i, [key]] of toEmbed.entries()) vectors.set(key, Float32Array.from(res.vectors[i]!));
      // The caller has its vectors: the shared table is written behind its back (a worker's
      // first chunk should not wait for a cache write). writeTable never throws.
      const write = this.writeTable(toEmbed.map(([key]) => ({ key, vector: vectors.get(key)! })));
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
    }
    for (const [key, vector] of vectors) this.lru.set(key, vector);
    this.counters.databaseHits += stored.size;
    this.counters.misses += toEmbed.length;
    this.counters.tokensSpent += tokens;
    return { vectors, tokens, databaseHits: stored.size, misses: toEmbed.length };
  }

  /** Resolves when every vector embedded so far is in the shared table (ingest, tests). */
  async settled(): Promise<void> {
    while (this.writes.size) await Promise.all(this.writes);
  }

  private async readTable(keys: string[]): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (!this.db) return out;
    try {
      const rows = await this.db.prisma.embeddingCacheEntry.findMany({
        where: { model: this.model, textHash: { in: keys } },
        select: { textHash: true, vector: true },
      });
      for (const row of rows) if (row.vector.length) out.set(row.textHash, Float32Array.from(row.vector));
      if (out.size) {
        await this.db.prisma.embeddingCacheEntry.updateMany({
          where: { model: this.model, textHash: { in: [...out.keys()] } },
          data: { hits: { increment: 1 } },
        });
      }
    } catch (err) {
      this.opts.logger?.warn({ err }, "embedding cache table unreadable; embedding without it");
    }
    return out;
  }

  private async writeTable(entries: { key: string; vector: Float32Array }[]): Promise<void> {
    if (!this.db) return;
    try {
      // Raw, with each vector as one array literal: Prisma's createMany serialized a vector
      // element by element (~10 ms of the event loop for a query and its topic, in front of the
      // first chunk of every miss). ON CONFLICT: another process may have embedded the same text.
      const rows = entries.map(
        ({ key, vector }) => Prisma.sql`(${this.model}, ${key}, ${arrayLiteral(vector)}::double precision[])`,
      );
      await this.db.prisma.$executeRaw`
        INSERT INTO "EmbeddingCacheEntry" ("model", "textHash", "vector")
        VALUES ${Prisma.join(rows)}
        ON CONFLICT DO NOTHING`;
    } catch (err) {
      this.opts.logger?.warn({ err }, "embedding cache table unwritable; vectors kept in memory only");
    }
  }
}

/** A vector as PostgreSQL's array literal: each element as JavaScript prints it, which float8 reads back exactly. */
function arrayLiteral(vector: Float32Array | number[]): string {
  return `{${vector.join(",")}}`;
}
