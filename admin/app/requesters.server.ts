import { type Actor, audited } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import { type Platform, Prisma } from "../../core/db/client.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "../../core/records/tiers.ts";
import { dayColumn, startOfLocalMonth } from "../../core/time.ts";

/** Requesters and workspaces as the console lists and changes them. */

export const PLATFORMS = ["SLACK", "LINE", "CONSOLE"] as const;
const PAGE = 25;

type RequesterRow = Prisma.RequesterGetPayload<{ include: typeof WITH_EFFECTIVE_TIER }>;

/** Newest first, or by use: articles today, articles this month, spend this month (most first). */
export const REQUESTER_SORTS = ["recent", "today", "month-articles", "month-spend"] as const;
export type RequesterSort = (typeof REQUESTER_SORTS)[number];

export interface RequesterFilters {
  q: string;
  platform: Platform | "";
  status: "" | "blocked" | "active";
  sort: RequesterSort;
  /** The last id shown (newest first), or how many rows came before (sorted by use). */
  after: string | null;
}

export function readRequesterFilters(url: URL): RequesterFilters {
  const s = url.searchParams;
  const platform = (PLATFORMS as readonly string[]).includes(s.get("platform") ?? "")
    ? (s.get("platform") as Platform)
    : "";
  const status =
    s.get("status") === "blocked" || s.get("status") === "active"
      ? (s.get("status") as "blocked" | "active")
      : "";
  return {
    q: (s.get("q") ?? "").trim().slice(0, 100),
    platform,
    status,
    sort: (REQUESTER_SORTS as readonly string[]).includes(s.get("sort") ?? "")
      ? (s.get("sort") as RequesterSort)
      : "recent",
    after: s.get("after")?.slice(0, 64) || null,
  };
}

/** A page of requesters, newest activity first, each with today's and this month's usage. */
export async function searchRequesters(app: AppContext, pipeline: Pipeline, f: RequesterFilters) {
  const where: Prisma.RequesterWhereInput = {
    ...(f.platform ? { platform: f.platform } : {}),
    ...(f.status ? { blocked: f.status === "blocked" } : {}),
    ...(f.q
      ? {
          OR: [
            { displayName: { contains: f.q, mode: "insensitive" } },
            { externalId: { contains: f.q, mode: "insensitive" } },
            { tenant: { name: { contains: f.q, mode: "insensitive" } } },
          ],
        }
      : {}),
  };
  if (f.sort !== "recent") return byUsage(app, pipeline, f);
  const rows = await app.db.prisma.requester.findMany({
    where,
    include: WITH_EFFECTIVE_TIER,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE + 1,
    ...(f.after ? { cursor: { id: f.after }, skip: 1 } : {}),
  });
  const page = rows.slice(0, PAGE);
  const withUsage = await Promise.all(
    page.map(async (r) => ({ row: r, usage: await pipeline.quotas.usage(r.id, effectiveTier(r)) })),
  );
  return {
    items: withUsage.map(({ row, usage }) => requesterView(row, usage)),
    next: rows.length > PAGE ? page.at(-1)!.id : null,
  };
}

const USAGE_ORDER: Record<Exclude<RequesterSort, "recent">, Prisma.Sql> = {
  today: Prisma.sql`COALESCE(u.today, 0)`,
  "month-articles": Prisma.sql`COALESCE(u.articles, 0)`,
  "month-spend": Prisma.sql`COALESCE(u.spend, 0)`,
};

/**
 * Requesters ranked by use from this month's rollups (one aggregate), with the same filters;
 * paged by position, since the ranking moves as people use the bot.
 */
async function byUsage(app: AppContext, pipeline: Pipeline, f: RequesterFilters) {
  const tz = app.config.quotaTimeZone;
  const now = new Date();
  const today = dayColumn(now, tz);
  const monthStart = startOfLocalMonth(now, tz).column;
  const offset = Math.max(0, Math.min(100_000, Number.parseInt(f.after ?? "0", 10) || 0));
  const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const conditions = [
    f.platform ? Prisma.sql`r."platform" = ${f.platform}::"Platform"` : null,
    f.status ? Prisma.sql`r."blocked" = ${f.status === "blocked"}` : null,
    f.q
      ? Prisma.sql`(r."displayName" ILIKE ${like} OR r."externalId" ILIKE ${like} OR t."name" ILIKE ${like})`
      : null,
  ].filter((c): c is Prisma.Sql => c !== null);
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  const order = USAGE_ORDER[f.sort as Exclude<RequesterSort, "recent">];
  const ranked = await app.db.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT r."id" FROM "Requester" r JOIN "Tenant" t ON t."id" = r."tenantId"
    LEFT JOIN (
      SELECT "requesterId", SUM("articles") FILTER (WHERE "day" = ${today}::date) AS today,
        SUM("articles") AS articles, SUM("costUsd") AS spend
      FROM "DailyUsage" WHERE "day" BETWEEN ${monthStart}::date AND ${today}::date GROUP BY 1
    ) u ON u."requesterId" = r."id"
    ${where}
    ORDER BY ${order} DESC, r."id" DESC
    LIMIT ${PAGE + 1} OFFSET ${offset}`;
  const ids = ranked.slice(0, PAGE).map((r) => r.id);
  const rows = await app.db.prisma.requester.findMany({
    where: { id: { in: ids } },
    include: WITH_EFFECTIVE_TIER,
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const page = ids.flatMap((id) => byId.get(id) ?? []);
  const withUsage = await Promise.all(
    page.map(async (r) => ({ row: r, usage: await pipeline.quotas.usage(r.id, effectiveTier(r)) })),
  );
  return {
    items: withUsage.map(({ row, usage }) => requesterView(row, usage)),
    next: ranked.length > PAGE ? String(offset + PAGE) : null,
  };
}

export function requesterView(r: RequesterRow, usage: Awaited<ReturnType<Pipeline["quotas"]["usage"]>>) {
  const tier = effectiveTier(r);
  return {
    id: r.id,
    name: r.displayName || r.externalId,
    externalId: r.externalId,
    platform: r.platform,
    blocked: r.blocked,
    workspace: {
      id: r.tenantId,
      name: r.tenant.name || r.tenant.externalId,
      defaultTierId: r.tenant.defaultTierId,
      defaultTierName: r.tenant.defaultTier.name,
    },
    tier: { id: tier.id, name: tier.name, own: r.tierId !== null, retired: Boolean(tier.retiredAt) },
    lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    today: {
      used: usage.today.used,
      limit: usage.today.limit,
      delivered: usage.today.delivered,
      inFlight: usage.today.inFlight,
      forgiven: usage.today.forgiven,
      resetsAt: usage.today.resetsAt.toISOString(),
    },
    month: {
      spentUsd: usage.month.spentUsd,
      budgetUsd: usage.month.budgetUsd,
      resetsAt: usage.month.resetsAt.toISOString(),
    },
  };
}

export async function loadRequester(app: AppContext, pipeline: Pipeline, id: string) {
  const r = await app.db.prisma.requester.findUnique({
    where: { id },
    include: WITH_EFFECTIVE_TIER,
  });
  if (!r) return null;
  const [usage, recent, tiers] = await Promise.all([
    pipeline.quotas.usage(r.id, effectiveTier(r)),
    app.db.prisma.generation.findMany({
      where: { requesterId: id },
      orderBy: { createdAt: "desc" },
      take: 10,
      select: {
        id: true,
        topic: true,
        status: true,
        costUsd: true,
        cacheHit: true,
        createdAt: true,
        words: true,
      },
    }),
    activeTiers(app),
  ]);
  return {
    requester: requesterView(r, usage),
    recent: recent.map((g) => ({
      ...g,
      costUsd: g.costUsd.toString(),
      createdAt: g.createdAt.toISOString(),
    })),
    tiers,
  };
}

export async function activeTiers(app: AppContext) {
  const tiers = await app.db.prisma.tier.findMany({
    where: { retiredAt: null },
    orderBy: { name: "asc" },
    select: { id: true, name: true },
  });
  return tiers;
}

type Change =
  | { ok: true; notice: string }
  | { ok: false; fieldErrors?: Record<string, string>; formError?: string };

/** "" means: follow the workspace's default tier. */
export async function setRequesterTier(
  app: AppContext,
  actor: Actor,
  id: string,
  tierId: string,
): Promise<Change> {
  return audited<Change>(app.db, actor, async (tx) => {
    const r = await tx.requester.findUnique({ where: { id }, include: { tier: true } });
    if (!r) return { audit: null, value: { ok: false, formError: "This requester no longer exists." } };
    const tier = tierId ? await tx.tier.findUnique({ where: { id: tierId } }) : null;
    if (tierId && (!tier || tier.retiredAt))
      return {
        audit: null,
        value: { ok: false, fieldErrors: { tierId: "Choose a tier that is not retired." } },
      };
    if ((r.tierId ?? "") === tierId) return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    await tx.requester.update({ where: { id }, data: { tierId: tierId || null } });
    return {
      audit: {
        action: "requester.tier",
        entityType: "Requester",
        entityId: id,
        before: { tierId: r.tierId, tier: r.tier?.name ?? "(workspace default)" },
        after: { tierId: tierId || null, tier: tier?.name ?? "(workspace default)" },
      },
      value: {
        ok: true,
        notice: tier
          ? `Now on ${tier.name}, from the next request. Today's count is kept.`
          : "Now follows the workspace's default tier.",
      },
    };
  });
}

export async function setBlocked(
  app: AppContext,
  actor: Actor,
  id: string,
  blocked: boolean,
): Promise<Change> {
  return audited<Change>(app.db, actor, async (tx) => {
    const r = await tx.requester.findUnique({ where: { id }, select: { blocked: true } });
    if (!r) return { audit: null, value: { ok: false, formError: "This requester no longer exists." } };
    if (r.blocked === blocked) return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    await tx.requester.update({ where: { id }, data: { blocked } });
    return {
      audit: {
        action: blocked ? "requester.block" : "requester.unblock",
        entityType: "Requester",
        entityId: id,
        before: { blocked: r.blocked },
        after: { blocked },
      },
      value: {
        ok: true,
        notice: blocked
          ? "Blocked: their next requests are refused politely."
          : "Unblocked: they can ask again.",
      },
    };
  });
}

/**
 * Gives today's articles back. The counters live in Redis (or memory), not the database, so the
 * reset runs inside the audit row's transaction: if the counter cannot be written, no row is kept.
 */
export async function resetToday(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  id: string,
): Promise<Change> {
  const r = await app.db.prisma.requester.findUnique({
    where: { id },
    include: WITH_EFFECTIVE_TIER,
  });
  if (!r) return { ok: false, formError: "This requester no longer exists." };
  const usage = await pipeline.quotas.usage(id, effectiveTier(r));
  return audited<Change>(app.db, actor, async () => {
    await pipeline.quotas.resetToday(id, usage.today.delivered);
    return {
      audit: {
        action: "requester.quota.reset",
        entityType: "Requester",
        entityId: id,
        before: { usedToday: usage.today.used, limit: usage.today.limit },
        after: { usedToday: usage.today.inFlight, limit: usage.today.limit, forgiven: usage.today.delivered },
      },
      value: {
        ok: true,
        notice: `Today's quota reset: ${usage.today.delivered} delivered article${usage.today.delivered === 1 ? "" : "s"} no longer count today.`,
      },
    };
  });
}

export async function setWorkspaceDefaultTier(
  app: AppContext,
  actor: Actor,
  tenantId: string,
  tierId: string,
): Promise<Change> {
  return audited<Change>(app.db, actor, async (tx) => {
    const t = await tx.tenant.findUnique({ where: { id: tenantId }, include: { defaultTier: true } });
    if (!t) return { audit: null, value: { ok: false, formError: "This workspace no longer exists." } };
    const tier = await tx.tier.findUnique({ where: { id: tierId } });
    if (!tier || tier.retiredAt)
      return {
        audit: null,
        value: { ok: false, fieldErrors: { tierId: "Choose a tier that is not retired." } },
      };
    if (t.defaultTierId === tierId) return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    await tx.tenant.update({ where: { id: tenantId }, data: { defaultTierId: tierId } });
    return {
      audit: {
        action: "workspace.default-tier",
        entityType: "Tenant",
        entityId: tenantId,
        before: { defaultTierId: t.defaultTierId, tier: t.defaultTier.name },
        after: { defaultTierId: tierId, tier: tier.name },
      },
      value: {
        ok: true,
        notice: `${t.name || t.externalId} now defaults to ${tier.name}. Requesters with a tier of their own keep it.`,
      },
    };
  });
}

/** The line a LINE channel's clients read under a refusal, pointing them to a bigger plan (empty: none). */
export async function setWorkspaceUpgradeNote(
  app: AppContext,
  actor: Actor,
  tenantId: string,
  upgradeNote: string,
): Promise<Change> {
  return audited<Change>(app.db, actor, async (tx) => {
    const t = await tx.tenant.findUnique({ where: { id: tenantId } });
    if (!t) return { audit: null, value: { ok: false, formError: "This workspace no longer exists." } };
    if (t.upgradeNote === upgradeNote)
      return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    await tx.tenant.update({ where: { id: tenantId }, data: { upgradeNote } });
    return {
      audit: {
        action: "workspace.upgrade-note",
        entityType: "Tenant",
        entityId: tenantId,
        before: { upgradeNote: t.upgradeNote },
        after: { upgradeNote },
      },
      value: {
        ok: true,
        notice: upgradeNote
          ? `${t.name || t.externalId}: refusals now end with your upgrade line.`
          : `${t.name || t.externalId}: refusals no longer carry an upgrade line.`,
      },
    };
  });
}

/**
 * Renames a Slack workspace or LINE channel as the console shows it (a LINE channel arrives as
 * a bare id). The platform's id stays; an empty name shows the id again.
 */
export async function renameWorkspace(
  app: AppContext,
  actor: Actor,
  tenantId: string,
  name: string,
): Promise<Change> {
  return audited<Change>(app.db, actor, async (tx) => {
    const t = await tx.tenant.findUnique({ where: { id: tenantId } });
    if (!t) return { audit: null, value: { ok: false, formError: "This workspace no longer exists." } };
    if (t.name === name) return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    await tx.tenant.update({ where: { id: tenantId }, data: { name } });
    return {
      audit: {
        action: "workspace.rename",
        entityType: "Tenant",
        entityId: tenantId,
        before: { name: t.name },
        after: { name },
      },
      value: {
        ok: true,
        notice: name ? `${t.name || t.externalId} is now called ${name}.` : `${t.name} now shows as its id.`,
      },
    };
  });
}
