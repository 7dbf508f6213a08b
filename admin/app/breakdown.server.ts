import type { AppContext } from "../../core/app.ts";
import { dayColumn, localDay, startOfLocalMonth } from "../../core/time.ts";

/**
 * The Overview's cost breakdown: spend and articles by workspace, tier and model over a chosen
 * range of days (quota time zone), beside the previous period of the same length and a
 * month-end projection. Read from the daily rollups only (totals and workspaces from
 * DailyTenantUsage, tiers from DailyUsage), so it costs the same at 1M generations as at 1k.
 */

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export interface CostRange {
  from: string;
  to: string;
  /** Set when the URL asked for an impossible range; the default range is shown instead. */
  problem: string | null;
}

const asDay = (v: string | null) =>
  v && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : "";

/** The range from the URL (?from=&to=), defaulting to this month so far. */
export function readCostRange(url: URL, now: Date, timeZone: string): CostRange {
  const today = localDay(now, timeZone);
  const monthStart = localDay(startOfLocalMonth(now, timeZone).column, "UTC");
  const from = asDay(url.searchParams.get("from"));
  const to = asDay(url.searchParams.get("to"));
  if (from && to && from > to)
    return {
      from: monthStart,
      to: today,
      problem: `The range starts (${from}) after it ends (${to}): showing this month instead.`,
    };
  return { from: from || (to && to < monthStart ? to : monthStart), to: to || today, problem: null };
}

export interface BreakdownRow {
  key: string;
  label: string;
  sub: string;
  costUsd: number;
  articles: number;
}

export interface CostBreakdown {
  range: CostRange;
  previous: { from: string; to: string; costUsd: number; articles: number };
  totals: { costUsd: number; articles: number };
  /** This month so far, and where it ends at the same daily rate (local calendar). */
  month: { spentUsd: number; projectedUsd: number; daysElapsed: number; daysInMonth: number };
  byWorkspace: BreakdownRow[];
  /** By the tier each requester is on now (rollups do not keep the tier of each day). */
  byTier: BreakdownRow[];
  /** Model calls (chat and embeddings), ranked by cost; `articles` counts calls here. */
  byModel: BreakdownRow[];
}

const addDays = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export async function loadCostBreakdown(
  app: AppContext,
  range: CostRange,
  now = new Date(),
): Promise<CostBreakdown> {
  const p = app.db.prisma;
  const tz = app.config.quotaTimeZone;
  const length = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;
  const prevTo = addDays(range.from, -1);
  const prevFrom = addDays(range.from, -length);
  const from = new Date(`${range.from}T00:00:00Z`);
  const to = new Date(`${range.to}T00:00:00Z`);
  const monthStart = startOfLocalMonth(now, tz).column;
  const today = dayColumn(now, tz);

  const [totals, workspaces, tiers, models] = await Promise.all([
    p.$queryRaw<Array<Record<string, unknown>>>`
      SELECT
        SUM("costUsd") FILTER (WHERE "day" BETWEEN ${from}::date AND ${to}::date)::float8 AS cost,
        SUM("articles") FILTER (WHERE "day" BETWEEN ${from}::date AND ${to}::date)::float8 AS articles,
        SUM("costUsd") FILTER (WHERE "day" BETWEEN ${prevFrom}::date AND ${prevTo}::date)::float8 AS "prevCost",
        SUM("articles") FILTER (WHERE "day" BETWEEN ${prevFrom}::date AND ${prevTo}::date)::float8 AS "prevArticles",
        SUM("costUsd") FILTER (WHERE "day" BETWEEN ${monthStart}::date AND ${today}::date)::float8 AS "monthCost"
      FROM "DailyTenantUsage"
      WHERE "day" BETWEEN LEAST(${prevFrom}::date, ${monthStart}::date) AND GREATEST(${to}::date, ${today}::date)`,
    p.$queryRaw<Array<{ id: string; name: string; platform: string; cost: number; articles: number }>>`
      SELECT t."id", COALESCE(NULLIF(t."name", ''), t."externalId") AS name, t."platform"::text AS platform,
        u.cost::float8 AS cost, u.articles::float8 AS articles
      FROM (SELECT "tenantId", SUM("costUsd") AS cost, SUM("articles") AS articles FROM "DailyTenantUsage"
            WHERE "day" BETWEEN ${from}::date AND ${to}::date GROUP BY "tenantId") u
      JOIN "Tenant" t ON t."id" = u."tenantId"
      ORDER BY u.cost DESC, name`,
    p.$queryRaw<Array<{ id: string; name: string; cost: number; articles: number }>>`
      SELECT COALESCE(rt."id", dt."id") AS id, COALESCE(rt."name", dt."name") AS name,
        SUM(u.cost)::float8 AS cost, SUM(u.articles)::float8 AS articles
      FROM (SELECT "requesterId", SUM("costUsd") AS cost, SUM("articles") AS articles FROM "DailyUsage"
            WHERE "day" BETWEEN ${from}::date AND ${to}::date GROUP BY "requesterId") u
      JOIN "Requester" r ON r."id" = u."requesterId" JOIN "Tenant" t ON t."id" = r."tenantId"
      LEFT JOIN "Tier" rt ON rt."id" = r."tierId" JOIN "Tier" dt ON dt."id" = t."defaultTierId"
      GROUP BY 1, 2 ORDER BY cost DESC, name`,
    p.$queryRaw<Array<{ model: string; cost: number; calls: number; tokens: number }>>`
      SELECT "model", SUM("costUsd")::float8 AS cost, SUM("calls")::float8 AS calls,
        SUM("inputTokens" + "outputTokens")::float8 AS tokens
      FROM "DailyModelUsage" WHERE "day" BETWEEN ${from}::date AND ${to}::date
      GROUP BY "model" ORDER BY cost DESC, "model"`,
  ]);

  const t = totals[0] ?? {};
  const todayDay = localDay(now, tz);
  const daysElapsed = Number(todayDay.slice(8, 10));
  const [y, m] = [Number(todayDay.slice(0, 4)), Number(todayDay.slice(5, 7))];
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const monthCost = n(t.monthCost);
  return {
    range,
    previous: { from: prevFrom, to: prevTo, costUsd: n(t.prevCost), articles: n(t.prevArticles) },
    totals: { costUsd: n(t.cost), articles: n(t.articles) },
    month: {
      spentUsd: monthCost,
      projectedUsd: (monthCost * daysInMonth) / daysElapsed,
      daysElapsed,
      daysInMonth,
    },
    byWorkspace: workspaces.map((w) => ({
      key: w.id,
      label: w.name,
      sub: w.platform,
      costUsd: n(w.cost),
      articles: n(w.articles),
    })),
    byTier: tiers.map((r) => ({
      key: r.id,
      label: r.name,
      sub: "",
      costUsd: n(r.cost),
      articles: n(r.articles),
    })),
    byModel: models.map((r) => ({
      key: r.model,
      label: r.model,
      sub: `${n(r.tokens)} tokens`,
      costUsd: n(r.cost),
      articles: n(r.calls),
    })),
  };
}

/** Relative change against the previous period; null when there is nothing to compare with. */
export function change(now: number, before: number): number | null {
  return before ? (now - before) / before : null;
}
