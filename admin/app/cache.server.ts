import { randomBytes } from "node:crypto";
import { type Actor, audited, recordAudit } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import type { CacheScope, Prisma } from "../../core/db/client.ts";
import type { AcceptResult, Pipeline } from "../../core/pipeline/index.ts";

/** The topic cache as the console sees it: the database mirror of the live entries. */

const PAGE = 50;
export const PREWARM_TENANT = { externalId: "console", name: "Console" };
export const PREWARM_REQUESTER = { externalId: "prewarm", displayName: "Cache pre-warm" };

export interface CacheFilters {
  q: string;
  scope: CacheScope | "" | "pinned";
  after: string | null;
}

export function readCacheFilters(url: URL): CacheFilters {
  const s = url.searchParams;
  const scope = ["TENANT", "REQUESTER", "pinned"].includes(s.get("scope") ?? "")
    ? (s.get("scope") as CacheFilters["scope"])
    : "";
  return { q: (s.get("q") ?? "").trim().slice(0, 100), scope, after: s.get("after")?.slice(0, 64) || null };
}

export async function listCache(app: AppContext, pipeline: Pipeline, f: CacheFilters) {
  const p = app.db.prisma;
  const where: Prisma.TopicCacheEntryWhereInput = {
    ...(f.q ? { topic: { contains: f.q, mode: "insensitive" } } : {}),
    ...(f.scope === "pinned" ? { pinnedShared: true } : f.scope ? { scope: f.scope } : {}),
  };
  const [rows, totals, savedRows, embeddingRows, prewarm] = await Promise.all([
    p.topicCacheEntry.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: PAGE + 1,
      ...(f.after ? { cursor: { id: f.after }, skip: 1 } : {}),
      select: {
        id: true,
        key: true,
        topic: true,
        scope: true,
        language: true,
        hits: true,
        lastHitAt: true,
        expiresAt: true,
        sizeBytes: true,
        words: true,
        pinnedShared: true,
        costUsd: true,
        createdAt: true,
        tenant: { select: { name: true, externalId: true } },
        requester: { select: { displayName: true, externalId: true } },
      },
    }),
    p.topicCacheEntry.aggregate({ _count: { _all: true }, _sum: { sizeBytes: true, hits: true } }),
    // Each hit saved what the entry cost to write.
    p.$queryRaw<
      Array<{ saved: number | null }>
    >`SELECT SUM("costUsd" * "hits")::float8 AS saved FROM "TopicCacheEntry"`,
    p.embeddingCacheEntry.aggregate({ _count: { _all: true }, _sum: { hits: true } }),
    prewarmStatus(app),
  ]);
  const page = rows.slice(0, PAGE);
  const now = Date.now();
  return {
    next: rows.length > PAGE ? page.at(-1)!.id : null,
    entries: page.map((e) => ({
      id: e.id,
      key: e.key,
      readableKey: readableKey(e.key, e),
      savedUsd: e.costUsd.mul(e.hits).toString(),
      topic: e.topic,
      scope: e.scope,
      language: e.language,
      hits: e.hits,
      words: e.words,
      sizeBytes: e.sizeBytes,
      pinned: e.pinnedShared,
      costUsd: e.costUsd.toString(),
      lastHitAt: e.lastHitAt?.toISOString() ?? null,
      expiresAt: e.expiresAt.toISOString(),
      expired: e.expiresAt.getTime() < now && !e.pinnedShared,
      createdAt: e.createdAt.toISOString(),
      owner: e.requester
        ? e.requester.displayName || e.requester.externalId
        : e.tenant
          ? e.tenant.name || e.tenant.externalId
          : "—",
    })),
    totals: {
      entries: totals._count._all,
      bytes: totals._sum.sizeBytes ?? 0,
      hits: totals._sum.hits ?? 0,
      savedUsd: savedRows[0]?.saved ?? 0,
    },
    embedding: {
      ...pipeline.retrieval.embeddingCacheStats(),
      stored: embeddingRows._count._all,
      storedHits: embeddingRows._sum.hits ?? 0,
      model: pipeline.retrieval.embedder.model,
    },
    prewarm,
    offline: pipeline.generator.offline,
    ttlHours: Math.round(pipeline.cache.ttlSeconds / 3600),
  };
}

/**
 * A cache key as people read it: the scope part (`t-<tenant id>`, `r-<requester id>`) becomes
 * the workspace's or requester's name; the hashes of the request's facets and topic stay short.
 */
export function readableKey(
  key: string,
  owner: {
    tenant: { name: string; externalId: string } | null;
    requester: { displayName: string; externalId: string } | null;
  },
): string {
  const [space = "", facet = "", topic = ""] = key.split(":");
  const who =
    space === "shared"
      ? "shared with everyone"
      : space.startsWith("r-") && owner.requester
        ? `requester ${owner.requester.displayName || owner.requester.externalId}`
        : space.startsWith("t-") && owner.tenant
          ? `workspace ${owner.tenant.name || owner.tenant.externalId}`
          : "an owner that no longer exists";
  return `${who} · request ${facet.slice(0, 6)} · topic ${topic.slice(0, 6)}`;
}

/** The latest pre-warm generations, so the page can show how the batch is doing. */
async function prewarmStatus(app: AppContext) {
  const rows = await app.db.prisma.generation.findMany({
    where: {
      platform: "CONSOLE",
      requester: {
        externalId: PREWARM_REQUESTER.externalId,
        tenant: { platform: "CONSOLE", externalId: PREWARM_TENANT.externalId },
      },
    },
    orderBy: { createdAt: "desc" },
    take: 20,
    select: {
      id: true,
      topic: true,
      status: true,
      createdAt: true,
      cacheEntry: { select: { id: true, pinnedShared: true } },
    },
  });
  return rows.map((g) => ({
    id: g.id,
    topic: g.topic,
    status: g.status,
    createdAt: g.createdAt.toISOString(),
    entryId: g.cacheEntry?.id ?? null,
    pinned: g.cacheEntry?.pinnedShared ?? false,
  }));
}

type Result =
  | { ok: true; notice: string }
  | { ok: false; formError: string; fieldErrors?: Record<string, string> };

export async function invalidateEntries(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  ids: string[],
): Promise<Result> {
  if (!ids.length) return { ok: false, formError: "Tick the entries to invalidate first." };
  return audited<Result>(app.db, actor, async (tx) => {
    const rows = await tx.topicCacheEntry.findMany({
      where: { id: { in: ids } },
      select: { id: true, key: true, topic: true, scope: true, hits: true, pinnedShared: true },
    });
    if (!rows.length)
      return { audit: null, value: { ok: false, formError: "Those entries are already gone." } };
    const removed = await pipeline.cache.invalidate(
      rows.map((r) => r.id),
      tx,
    );
    return {
      audit: {
        action: "cache.invalidate",
        entityType: "TopicCacheEntry",
        entityId: rows.length === 1 ? rows[0]!.id : null,
        before: rows,
        after: null,
      },
      value: {
        ok: true,
        notice: `${removed} cache entr${removed === 1 ? "y" : "ies"} invalidated. The next request for ${removed === 1 ? "it" : "them"} is generated afresh.`,
      },
    };
  });
}

export async function invalidateAll(app: AppContext, pipeline: Pipeline, actor: Actor): Promise<Result> {
  return audited<Result>(app.db, actor, async (tx) => {
    let removed = 0;
    for (;;) {
      const batch = await tx.topicCacheEntry.findMany({
        select: { id: true },
        take: 1_000,
        orderBy: { id: "asc" },
      });
      if (!batch.length) break;
      const gone = await pipeline.cache.invalidate(
        batch.map((b) => b.id),
        tx,
      );
      if (!gone) break;
      removed += gone;
    }
    if (!removed) return { audit: null, value: { ok: true, notice: "The cache was already empty." } };
    return {
      audit: {
        action: "cache.invalidate-all",
        entityType: "TopicCacheEntry",
        before: { entries: removed },
        after: { entries: 0 },
      },
      value: { ok: true, notice: `All ${removed} cache entries invalidated.` },
    };
  });
}

export async function pinEntry(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  ids: string[],
  shared: boolean,
): Promise<Result> {
  return audited<Result>(app.db, actor, async (tx) => {
    const rows = await tx.topicCacheEntry.findMany({
      where: { id: { in: ids }, pinnedShared: !shared },
      select: { id: true, topic: true },
    });
    if (!rows.length) return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    for (const r of rows) await pipeline.cache.pin(r.id, shared, tx);
    return {
      audit: {
        action: shared ? "cache.pin" : "cache.unpin",
        entityType: "TopicCacheEntry",
        entityId: rows.length === 1 ? rows[0]!.id : null,
        before: rows.map((r) => ({ id: r.id, topic: r.topic, pinnedShared: !shared })),
        after: rows.map((r) => ({ id: r.id, pinnedShared: shared })),
      },
      value: {
        ok: true,
        notice: shared
          ? `${rows.length} entr${rows.length === 1 ? "y is" : "ies are"} now shared: anyone asking for the same thing gets ${rows.length === 1 ? "it" : "them"}.`
          : `${rows.length} entr${rows.length === 1 ? "y is" : "ies are"} no longer shared.`,
      },
    };
  });
}

/** Pins every delivered pre-warm draft that is not shared yet. */
export async function pinPrewarmed(app: AppContext, pipeline: Pipeline, actor: Actor): Promise<Result> {
  const ready = (await prewarmStatus(app)).filter((g) => g.entryId && !g.pinned).map((g) => g.entryId!);
  if (!ready.length)
    return {
      ok: false,
      formError: "No pre-warmed draft is waiting to be shared: wait for the batch to finish.",
    };
  return pinEntry(app, pipeline, actor, ready, true);
}

/**
 * Queues each topic as a real generation from the console's pre-warm requester, so the drafts
 * are written, priced and cached exactly as a person's would be. The core's accept step has its
 * own transactions, so the audit row follows and records what each topic became.
 */
export async function prewarm(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  topics: string[],
  opts: { language: "en" | "th"; audience: string; targetWords: number },
) {
  const batch = randomBytes(4).toString("hex");
  const outcomes: Array<{ topic: string; result: AcceptResult["kind"]; generationId?: string }> = [];
  for (const [i, topic] of topics.entries()) {
    const result = await pipeline.accept({
      platform: "CONSOLE",
      eventId: `prewarm-${batch}-${i}`,
      tenant: PREWARM_TENANT,
      requester: PREWARM_REQUESTER,
      input: {
        kind: "form",
        form: {
          topic,
          language: opts.language,
          audience: opts.audience || undefined,
          targetWords: opts.targetWords,
        },
      },
      destination: { platform: "CONSOLE", conversation: `prewarm-${batch}` },
    });
    outcomes.push({
      topic,
      result: result.kind,
      ...("generationId" in result ? { generationId: result.generationId } : {}),
    });
  }
  await recordAudit(app.db, actor, {
    action: "cache.prewarm",
    entityType: "TopicCacheEntry",
    after: { batch, ...opts, outcomes },
  });
  return outcomes;
}
