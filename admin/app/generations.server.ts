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
  q: string;
  after: string | null;
}

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
    q: (s.get("q") ?? "").trim().slice(0, 100),
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
    ...(f.q ? { topic: { contains: f.q, mode: "insensitive" } } : {}),
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
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
  costUnpriced: true,
  cacheHit: true,
  latencyMs: true,
  firstChunkMs: true,
  errorCode: true,
  requester: { select: { id: true, displayName: true, externalId: true } },
  tenant: { select: { name: true, externalId: true } },
} satisfies Prisma.GenerationSelect;

export type GenerationListRow = Prisma.GenerationGetPayload<{ select: typeof LIST_SELECT }>;

/** One page in log order (newest first), keyset-paginated so deep pages stay as fast as the first. */
export async function generationPage(
  app: AppContext,
  where: Prisma.GenerationWhereInput,
  after: string | null,
  take: number,
): Promise<GenerationListRow[]> {
  return app.db.prisma.generation.findMany({
    where,
    select: LIST_SELECT,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
  });
}
