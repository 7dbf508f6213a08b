import { createHash } from "node:crypto";
import type { CacheScope, Database, Prisma } from "../db/client.ts";
import type { ArticleRequest, Source } from "../domain.ts";
import { readJson, SourcesSchema, toJsonColumn } from "../records/json.ts";
import type { Redis } from "../redis.ts";
import { topicKey } from "../text/words.ts";
import { type CacheStore, cosine, type IndexedVector, MemoryCacheStore, RedisCacheStore } from "./stores.ts";

/**
 * The topic cache: a draft written once is delivered again, with zero LLM tokens, to the next
 * person in the same scope asking for the same thing. Exact match first (a normalized key:
 * topic words in any order and case, keywords, industry, audience, language, length bucket,
 * tone: everything that reaches the prompt), then a
 * semantic match (query-embedding cosine at or above a strict threshold, same facets only).
 *
 * The live copy is in Redis (or memory); the database mirror feeds the console and refills
 * the live copy after Redis loses it, so a restart does not forget what was paid for.
 */

export interface CachedDraft {
  entryId: string;
  key: string;
  title: string;
  draft: string;
  words: number;
  sources: Source[];
  model: string | null;
  /** What generating it cost: each hit saves this much. */
  costUsd: string;
}

/** Who may reuse a draft: the requester alone, or their whole tenant (workspace). */
export interface CacheOwner {
  scope: CacheScope;
  tenantId: string;
  requesterId: string;
}

export interface CacheHit {
  draft: CachedDraft;
  match: "exact" | "semantic";
}

export interface TopicCacheOptions {
  db: Database;
  redis: Redis | null;
  ttlSeconds?: number;
  /** Cosine similarity a semantic match needs; strict by default so near-misses regenerate. */
  semanticThreshold?: number;
  keyPrefix?: string;
}

const LENGTH_BUCKETS = [300, 600, 900, 1_200, 1_600, 2_000, 3_000, 4_000];
const PINNED_TTL_SECONDS = 365 * 86_400;

export class TopicCache {
  readonly ttlSeconds: number;
  readonly semanticThreshold: number;
  private readonly live: CacheStore;
  private readonly vectorReads = new Map<
    string,
    Promise<Array<{ key: string; vector: ArrayLike<number> }>>
  >();

  constructor(private readonly opts: TopicCacheOptions) {
    this.ttlSeconds = opts.ttlSeconds ?? 7 * 86_400;
    this.semanticThreshold = opts.semanticThreshold ?? 0.92;
    const prefix = opts.keyPrefix ?? "ab:tc";
    this.live = opts.redis ? new RedisCacheStore(opts.redis, prefix) : new MemoryCacheStore();
  }

  /**
   * The exact key first (the requester's or workspace's own copy before a shared one), then the
   * closest cached topic by meaning, and the hit counted. The query's vector may still be on its
   * way: the exact lookups do not wait for the embedding.
   */
  async lookup(
    request: ArticleRequest,
    owner: CacheOwner,
    queryVector?: number[] | Promise<number[] | undefined>,
  ): Promise<CacheHit | null> {
    const hit =
      (await this.findExact(request, owner)) ?? (await this.findSemantic(request, owner, await queryVector));
    if (hit) await this.countHit(hit);
    return hit;
  }

  /**
   * `lookup`'s first half, counting nothing: both scopes' exact keys, read at once. The worker
   * counts a hit only once it knows it will serve it (the person may have asked to stop).
   */
  async findExact(request: ArticleRequest, owner: CacheOwner): Promise<CacheHit | null> {
    if (owner.scope === "NONE") return null;
    const facet = facetOf(request);
    const spaces = [scopeId(owner), "shared"];
    const exact = await Promise.all(spaces.map((space) => this.exact(entryKey(space, facet, request))));
    const found = exact.find((d) => d !== null);
    return found ? { draft: found, match: "exact" } : null;
  }

  /** `lookup`'s second half, counting nothing: the closest cached topic of the same facets by meaning. */
  async findSemantic(
    request: ArticleRequest,
    owner: CacheOwner,
    vector: number[] | undefined,
  ): Promise<CacheHit | null> {
    if (owner.scope === "NONE" || !vector) return null;
    const facet = facetOf(request);
    const spaces = [scopeId(owner), "shared"];
    const candidates = (await Promise.all(spaces.map((space) => this.vectors(space, facet)))).flat();
    let best: { key: string; score: number } | null = null;
    for (const candidate of candidates) {
      const score = cosine(vector, candidate.vector);
      if (score >= this.semanticThreshold && (!best || score > best.score))
        best = { key: candidate.key, score };
    }
    const semantic = best ? await this.live.get(best.key) : null;
    return semantic ? { draft: semantic, match: "semantic" } : null;
  }

  /** A hit served: counted on the mirror, for the console. */
  async countHit(hit: CacheHit): Promise<void> {
    await this.opts.db.prisma.topicCacheEntry.updateMany({
      where: { id: hit.draft.entryId },
      data: { hits: { increment: 1 }, lastHitAt: new Date() },
    });
  }

  /**
   * A scope's vectors, one read at a time: lookups that arrive while one is under way share its
   * answer. Each read is the whole index (up to 500 vectors; ~30 KB of JSON each before decision 135); at 1,000
   * drafts in flight every miss read and parsed its own copy, and the copies waiting to be
   * compared held gigabytes (the worker ran out of heap). A lookup that starts after a read
   * finished reads again, so a draft stored before it is seen.
   */
  private vectors(space: string, facet: string): Promise<Array<{ key: string; vector: ArrayLike<number> }>> {
    const id = `${space}\n${facet}`;
    const running = this.vectorReads.get(id);
    if (running) return running;
    const read = this.live.vectors(space, facet).finally(() => this.vectorReads.delete(id));
    this.vectorReads.set(id, read);
    return read;
  }

  private async exact(key: string): Promise<CachedDraft | null> {
    return (await this.live.get(key)) ?? (await this.refill(key));
  }

  async store(
    request: ArticleRequest,
    owner: CacheOwner,
    draft: Omit<CachedDraft, "entryId" | "key">,
    queryVector?: number[],
  ): Promise<CachedDraft | null> {
    if (owner.scope === "NONE") return null;
    const space = scopeId(owner);
    const facet = facetOf(request);
    const key = entryKey(space, facet, request);
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    // `set`, not the bare list: Prisma parameterizes `{ set: [...] }` but writes a bare Float[]
    // into the query itself, so every new vector compiled a new query plan (~40 ms of the query
    // compiler) and its plan cache kept up to 1,000 of them, each holding the vector (~0.25 MiB
    // per entry retained; decision 155).
    const embedding = { set: queryVector ?? [] };
    const row = await this.opts.db.prisma.topicCacheEntry.upsert({
      where: { key },
      create: {
        key,
        scope: owner.scope,
        tenantId: owner.tenantId,
        requesterId: owner.scope === "REQUESTER" ? owner.requesterId : null,
        topic: request.topic,
        normalizedTopic: topicKey(request.topic, request.language),
        industry: request.industry,
        audience: request.audience,
        language: request.language,
        lengthBucket: lengthBucket(request.targetWords),
        title: draft.title,
        draft: draft.draft,
        words: draft.words,
        sources: toJsonColumn(draft.sources),
        embedding,
        model: draft.model,
        costUsd: draft.costUsd,
        sizeBytes: Buffer.byteLength(draft.draft),
        expiresAt,
      },
      update: {
        title: draft.title,
        draft: draft.draft,
        words: draft.words,
        sources: toJsonColumn(draft.sources),
        embedding,
        model: draft.model,
        costUsd: draft.costUsd,
        sizeBytes: Buffer.byteLength(draft.draft),
        expiresAt,
      },
      select: { id: true },
    });
    const cached: CachedDraft = { ...draft, entryId: row.id, key };
    await this.live.set(
      key,
      cached,
      this.ttlSeconds,
      queryVector ? { space, facet, vector: queryVector } : undefined,
    );
    return cached;
  }

  /**
   * Console: make an entry reusable by everyone (pinned) or take that back. `tx` lets the
   * console write the mirror in the same transaction as its audit row.
   */
  async pin(
    entryId: string,
    shared: boolean,
    tx: Prisma.TransactionClient = this.opts.db.prisma,
  ): Promise<void> {
    const row = await tx.topicCacheEntry.update({ where: { id: entryId }, data: { pinnedShared: shared } });
    const sharedKey = sharedKeyOf(row.key);
    if (!shared) return this.live.delete([sharedKey]);
    const draft: CachedDraft = {
      entryId: row.id,
      key: sharedKey,
      title: row.title,
      draft: row.draft,
      words: row.words,
      sources: readJson(SourcesSchema, row.sources, "TopicCacheEntry.sources"),
      model: row.model,
      costUsd: row.costUsd.toString(),
    };
    const facet = row.key.split(":")[1] ?? "";
    await this.live.set(
      sharedKey,
      draft,
      PINNED_TTL_SECONDS,
      row.embedding.length ? { space: "shared", facet, vector: row.embedding } : undefined,
    );
  }

  /**
   * Console: forget entries (both the live copy and the mirror). The live copy goes first: if
   * the mirror's delete then fails, a later lookup refills from the mirror, so nothing is lost
   * half-way. `tx` lets the console delete in the same transaction as its audit row.
   */
  async invalidate(entryIds: string[], tx: Prisma.TransactionClient = this.opts.db.prisma): Promise<number> {
    const rows = await tx.topicCacheEntry.findMany({
      where: { id: { in: entryIds } },
      select: { key: true, pinnedShared: true },
    });
    const keys = rows.flatMap((r) => (r.pinnedShared ? [r.key, sharedKeyOf(r.key)] : [r.key]));
    await this.live.delete(keys);
    const deleted = await tx.topicCacheEntry.deleteMany({ where: { id: { in: entryIds } } });
    return deleted.count;
  }

  // The live store lost the entry (Redis restarted, memory evicted): the mirror still has it.
  private async refill(key: string): Promise<CachedDraft | null> {
    const row = key.startsWith("shared:")
      ? await this.opts.db.prisma.topicCacheEntry.findFirst({
          where: { key: { endsWith: key.slice("shared".length) }, pinnedShared: true },
        })
      : await this.opts.db.prisma.topicCacheEntry.findUnique({ where: { key } });
    if (!row || (row.expiresAt < new Date() && !row.pinnedShared)) return null;
    const draft: CachedDraft = {
      entryId: row.id,
      key,
      title: row.title,
      draft: row.draft,
      words: row.words,
      sources: readJson(SourcesSchema, row.sources, "TopicCacheEntry.sources"),
      model: row.model,
      costUsd: row.costUsd.toString(),
    };
    const ttl = row.pinnedShared
      ? PINNED_TTL_SECONDS
      : Math.max(1, Math.floor((row.expiresAt.getTime() - Date.now()) / 1000));
    const [space = "", facet = ""] = key.split(":");
    const vector: IndexedVector | undefined = row.embedding.length
      ? { space, facet, vector: row.embedding }
      : undefined;
    await this.live.set(key, draft, ttl, vector);
    return draft;
  }
}

export function lengthBucket(targetWords: number): number {
  return LENGTH_BUCKETS.find((b) => targetWords <= b) ?? LENGTH_BUCKETS.at(-1)!;
}

function scopeId(owner: CacheOwner): string {
  return owner.scope === "REQUESTER" ? `r-${owner.requesterId}` : `t-${owner.tenantId}`;
}

/**
 * Everything but the topic that reaches the prompt, so must match for a draft to fit: hashed
 * for short keys. Keywords count in any order and case; without them, one person's keywords
 * would be served to everyone asking about the same topic.
 */
function facetOf(r: ArticleRequest): string {
  const keywords = [...new Set(r.keywords.map((k) => k.trim().toLowerCase()))].sort();
  const facet = [
    r.language,
    r.industry ?? "-",
    r.audience.trim().toLowerCase(),
    lengthBucket(r.targetWords),
    r.tone,
    JSON.stringify(keywords),
  ].join("|");
  return createHash("sha1").update(facet).digest("hex").slice(0, 16);
}

function sharedKeyOf(key: string): string {
  return `shared${key.slice(key.indexOf(":"))}`;
}

/** `<space>:<facet>:<topic hash>`; a pinned copy lives at `shared:<facet>:<topic hash>`. */
function entryKey(space: string, facet: string, r: ArticleRequest): string {
  const topic = createHash("sha1").update(topicKey(r.topic, r.language)).digest("hex").slice(0, 24);
  return `${space}:${facet}:${topic}`;
}
