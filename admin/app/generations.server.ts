import type { AppContext } from "../../core/app.ts";
import type { GenerationStatus, Platform, Prisma } from "../../core/db/client.ts";
import { STATUSES } from "./lib/format.ts";
import { PLATFORMS } from "./requesters.server.ts";

/** The generations log's filters, read from the URL (the list and its CSV export share them). */

export interface GenerationFilters {
  platform: Platform | "";
  status: GenerationStatus | "";
  tier: string;
  cache: "" | "hit" | "miss";
  from: string;
  to: string;
  requester: string;
  workspace: string;
  model: string;
  q: string;
  sort: GenerationSort;
  /** "draft": one row per draft (its first version), its later versions under it. */
  group: "" | "draft";
  after: string | null;
}

/** Sort orders a cost review needs; newest first is the log's natural order. */
export const SORTS = [
  "date-desc",
  "date-asc",
  "cost-desc",
  "cost-asc",
  "latency-desc",
  "latency-asc",
] as const;
export type GenerationSort = (typeof SORTS)[number];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const validDay = (v: string | null) =>
  v && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : "";

export function readGenerationFilters(url: URL): GenerationFilters {
  const s = url.searchParams;
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | "" =>
    (allowed as readonly string[]).includes(s.get(name) ?? "") ? (s.get(name) as T) : "";
  return {
    platform: pick("platform", PLATFORMS),
    status: pick("status", STATUSES),
    tier: (s.get("tier") ?? "").slice(0, 64),
    cache: pick("cache", ["hit", "miss"] as const),
    from: validDay(s.get("from")),
    to: validDay(s.get("to")),
    requester: (s.get("requester") ?? "").slice(0, 64),
    workspace: (s.get("workspace") ?? "").slice(0, 64),
    model: (s.get("model") ?? "").slice(0, 100),
    q: (s.get("q") ?? "").trim().slice(0, 100),
    sort: pick("sort", SORTS) || "date-desc",
    group: pick("group", ["draft"] as const),
    after: s.get("after")?.slice(0, 64) || null,
  };
}

export function generationWhere(f: GenerationFilters): Prisma.GenerationWhereInput {
  const day: Prisma.DateTimeFilter = {};
  if (f.from) day.gte = new Date(`${f.from}T00:00:00Z`);
  if (f.to) day.lte = new Date(`${f.to}T00:00:00Z`);
  return {
    ...(f.platform ? { platform: f.platform } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.cache ? { cacheHit: f.cache === "hit" } : {}),
    ...(f.from || f.to ? { day } : {}),
    ...(f.requester ? { requesterId: f.requester } : {}),
    ...(f.workspace ? { tenantId: f.workspace } : {}),
    ...(f.model ? { model: f.model } : {}),
    ...(f.q ? { topic: { contains: f.q, mode: "insensitive" } } : {}),
    // Grouped by draft, a row is a draft's first version (or a one-off); revisions hang below it.
    ...(f.group === "draft" ? { revisesId: null } : {}),
    // The tier a requester is on now: their own, or their workspace's default.
    ...(f.tier
      ? { requester: { OR: [{ tierId: f.tier }, { tierId: null, tenant: { defaultTierId: f.tier } }] } }
      : {}),
  };
}

export const LIST_SELECT = {
  id: true,
  createdAt: true,
  platform: true,
  status: true,
  topic: true,
  language: true,
  targetWords: true,
  words: true,
  model: true,
  tierName: true,
  draftId: true,
  instruction: true,
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
  costUnpriced: true,
  cacheHit: true,
  latencyMs: true,
  firstChunkMs: true,
  errorCode: true,
  requester: { select: { id: true, displayName: true, externalId: true } },
  tenant: { select: { id: true, name: true, externalId: true } },
} satisfies Prisma.GenerationSelect;

export type GenerationListRow = Prisma.GenerationGetPayload<{ select: typeof LIST_SELECT }>;

/** A reversed range matches nothing by construction: say so instead of "No generations match". */
export function rangeProblem(f: GenerationFilters): string | null {
  return f.from && f.to && f.from > f.to
    ? `"From" (${f.from}) is after "To" (${f.to}): no day can be in that range. Swap the dates.`
    : null;
}

function orderFor(sort: GenerationSort): Prisma.GenerationOrderByWithRelationInput[] {
  const [key, dir] = sort.split("-") as ["date" | "cost" | "latency", "asc" | "desc"];
  // The id breaks ties so the cursor pages stay stable.
  if (key === "cost") return [{ costUsd: dir }, { id: dir }];
  if (key === "latency") return [{ latencyMs: dir }, { id: dir }];
  return [{ createdAt: dir }, { id: dir }];
}

/**
 * Count, tokens and cost over the whole filtered set (not just the page shown). Filters the
 * GenerationTotals rollup can answer (workspace, platform, model, status, cache, days) read it
 * (a few hundred rows for a million generations); a topic search, a requester or a tier adds
 * up the matching generations themselves.
 */
export async function generationTotals(app: AppContext, f: GenerationFilters) {
  if (!f.q && !f.requester && !f.tier) {
    const a = await app.db.prisma.generationTotals.aggregate({
      where: totalsWhere(f),
      _sum: { count: true, inputTokens: true, outputTokens: true, costUsd: true },
    });
    return {
      count: a._sum.count ?? 0,
      tokens: Number(a._sum.inputTokens ?? 0) + Number(a._sum.outputTokens ?? 0),
      costUsd: (a._sum.costUsd ?? 0).toString(),
    };
  }
  const a = await app.db.prisma.generation.aggregate({
    where: generationWhere(f),
    _count: { _all: true },
    _sum: { inputTokens: true, outputTokens: true, costUsd: true },
  });
  return {
    count: a._count._all,
    tokens: (a._sum.inputTokens ?? 0) + (a._sum.outputTokens ?? 0),
    costUsd: (a._sum.costUsd ?? 0).toString(),
  };
}

function totalsWhere(f: GenerationFilters): Prisma.GenerationTotalsWhereInput {
  const day: Prisma.DateTimeFilter = {};
  if (f.from) day.gte = new Date(`${f.from}T00:00:00Z`);
  if (f.to) day.lte = new Date(`${f.to}T00:00:00Z`);
  return {
    ...(f.platform ? { platform: f.platform } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.cache ? { cacheHit: f.cache === "hit" } : {}),
    ...(f.from || f.to ? { day } : {}),
    ...(f.workspace ? { tenantId: f.workspace } : {}),
    ...(f.model ? { model: f.model } : {}),
  };
}

/** The later versions of the drafts on a page, oldest first, to show under their draft's row. */
export async function laterVersions(app: AppContext, draftIds: string[]): Promise<GenerationListRow[]> {
  if (!draftIds.length) return [];
  return app.db.prisma.generation.findMany({
    where: { draftId: { in: draftIds }, revisesId: { not: null } },
    select: LIST_SELECT,
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: 500,
  });
}

/** One page in the chosen order, keyset-paginated so deep pages stay as fast as the first. */
export async function generationPage(
  app: AppContext,
  where: Prisma.GenerationWhereInput,
  after: string | null,
  take: number,
  sort: GenerationSort = "date-desc",
): Promise<GenerationListRow[]> {
  return app.db.prisma.generation.findMany({
    // Sorted by time, the list holds finished generations (a time to sort by), so the
    // (latencyMs, id) index serves both directions.
    where: sort.startsWith("latency") ? { AND: [where, { latencyMs: { not: null } }] } : where,
    select: LIST_SELECT,
    orderBy: orderFor(sort),
    take,
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
  });
}
