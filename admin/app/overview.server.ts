import type { AppContext } from "../../core/app.ts";
import { monthlyBudgets } from "../../core/budget/budgets.ts";
import { describeConfig } from "../../core/config.ts";
import { LATENCY_BUCKETS_MS } from "../../core/records/generations.ts";
import { dayColumn, localDay, startOfLocalMonth } from "../../core/time.ts";

/**
 * The overview's figures, read from the daily rollups only (DailyTenantUsage per workspace per
 * day for the totals, latency and trend; DailyUsage per requester for the top requesters;
 * DailyModelUsage per model): a handful of aggregate queries over at most a month of rollup
 * rows, however many generations there are. All are written on write (decision 125).
 */

export interface PeriodFigures {
  articles: number;
  failures: number;
  refusals: number;
  cacheHits: number;
  costUsd: number;
  savedUsd: number;
  costPerArticle: number | null;
  cacheHitRate: number | null;
  errorRate: number | null;
  /** Median and 95th percentile, interpolated within their latency bucket; null without deliveries. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** True when the 95th percentile lies in the open bucket (above the last bound). */
  p95Open: boolean;
}

export interface Overview {
  today: PeriodFigures;
  month: PeriodFigures & {
    /** The overall monthly budget (used/limit, month-end projection) and workspaces near or over theirs. */
    budget: {
      spentUsd: number;
      limitUsd: number | null;
      projectedUsd: number;
      dailySpendUsd: number | null;
      workspaces: number;
      near: number;
      over: number;
    };
  };
  days: string[];
  costPerDay: Array<{ day: string; value: number }>;
  /** Median and 95th percentile per day (null on a day without deliveries): the latency trend. */
  latencyPerDay: Array<{ day: string; p50Ms: number | null; p95Ms: number | null }>;
  articlesPerDay: Array<{ day: string; SLACK: number; LINE: number; CONSOLE: number }>;
  tokensByModel: Array<{ model: string; operation: string; calls: number; tokens: number; costUsd: number }>;
  topRequesters: Array<{
    id: string;
    name: string;
    platform: string;
    workspace: string;
    tier: string;
    articles: number;
    costUsd: number;
    budgetUsd: number | null;
  }>;
  parts: Array<{ name: string; value: string }>;
  counts: { tiers: number; tenants: number; requesters: number };
}

const DAY_MS = 86_400_000;
const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

export async function loadOverview(app: AppContext, now = new Date()): Promise<Overview> {
  const p = app.db.prisma;
  const tz = app.config.quotaTimeZone;
  const today = dayColumn(now, tz);
  const monthStart = startOfLocalMonth(now, tz).column;
  const from = new Date(today.getTime() - 29 * DAY_MS);

  const [totals, bucketRows, daily, models, top, budget, tiers, tenants, requesters] = await Promise.all([
    p.$queryRaw<Array<Record<string, unknown>>>`
      SELECT
        SUM("articles") FILTER (WHERE "day" = ${today}::date)::float8 AS "tArticles",
        SUM("failures") FILTER (WHERE "day" = ${today}::date)::float8 AS "tFailures",
        SUM("refusals") FILTER (WHERE "day" = ${today}::date)::float8 AS "tRefusals",
        SUM("cacheHits") FILTER (WHERE "day" = ${today}::date)::float8 AS "tCacheHits",
        SUM("costUsd") FILTER (WHERE "day" = ${today}::date)::float8 AS "tCost",
        SUM("savedUsd") FILTER (WHERE "day" = ${today}::date)::float8 AS "tSaved",
        SUM("articles")::float8 AS "mArticles", SUM("failures")::float8 AS "mFailures", SUM("refusals")::float8 AS "mRefusals",
        SUM("cacheHits")::float8 AS "mCacheHits", SUM("costUsd")::float8 AS "mCost", SUM("savedUsd")::float8 AS "mSaved"
      FROM "DailyTenantUsage" WHERE "day" >= ${monthStart}::date`,
    // Latency bucket counts per day for the last 30 days (the trend) and the month.
    p.$queryRaw<Array<{ day: string; i: number; n: number }>>`
      SELECT to_char(d."day", 'YYYY-MM-DD') AS day, t.i::int AS i, SUM(t.b)::float8 AS n
      FROM "DailyTenantUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS t(b, i)
      WHERE d."day" >= LEAST(${from}::date, ${monthStart}::date) GROUP BY d."day", t.i`,
    p.$queryRaw<Array<{ day: string; platform: string; articles: number; cost: number }>>`
      SELECT to_char(u."day", 'YYYY-MM-DD') AS day, t."platform"::text AS platform, SUM(u."articles")::float8 AS articles,
        SUM(u."costUsd")::float8 AS cost
      FROM "DailyTenantUsage" u JOIN "Tenant" t ON t."id" = u."tenantId"
      WHERE u."day" >= ${from}::date GROUP BY u."day", t."platform"`,
    p.$queryRaw<Array<{ model: string; operation: string; calls: number; tokens: number; cost: number }>>`
      SELECT "model", "operation"::text AS operation, SUM("calls")::float8 AS calls, SUM("inputTokens" + "outputTokens")::float8 AS tokens, SUM("costUsd")::float8 AS cost
      FROM "DailyModelUsage" WHERE "day" >= ${from}::date GROUP BY "model", "operation" ORDER BY tokens DESC LIMIT 12`,
    p.$queryRaw<
      Array<{
        id: string;
        displayName: string;
        externalId: string;
        platform: string;
        workspace: string;
        tier: string;
        articles: number;
        cost: number;
        budget: number | null;
      }>
    >`
      WITH m AS (
        SELECT "requesterId", SUM("costUsd") AS cost, SUM("articles") AS articles FROM "DailyUsage"
        WHERE "day" >= ${monthStart}::date GROUP BY "requesterId" ORDER BY cost DESC LIMIT 10)
      SELECT r."id", r."displayName", r."externalId", r."platform"::text AS platform, COALESCE(NULLIF(t."name", ''), t."externalId") AS workspace,
        COALESCE(rt."name", dt."name") AS tier, m.articles::float8 AS articles, m.cost::float8 AS cost,
        (CASE WHEN r."tierId" IS NOT NULL THEN rt."monthlyBudgetUsd" ELSE dt."monthlyBudgetUsd" END)::float8 AS budget
      FROM m JOIN "Requester" r ON r."id" = m."requesterId" JOIN "Tenant" t ON t."id" = r."tenantId"
        LEFT JOIN "Tier" rt ON rt."id" = r."tierId" JOIN "Tier" dt ON dt."id" = t."defaultTierId"
      ORDER BY m.cost DESC`,
    monthlyBudgets(app.db, app.config.caps, app.config.quotaTimeZone, now),
    p.tier.count({ where: { retiredAt: null } }),
    p.tenant.count(),
    p.requester.count(),
  ]);

  const t = totals[0] ?? {};
  const todayDay = localDay(now, tz);
  const monthDay = localDay(monthStart, "UTC");
  const countsOver = (keep: (day: string) => boolean) => {
    const counts = LATENCY_BUCKETS_MS.map(() => 0);
    for (const r of bucketRows) if (keep(r.day)) counts[r.i - 1] = (counts[r.i - 1] ?? 0) + n(r.n);
    return counts;
  };
  const buckets = { today: countsOver((d) => d === todayDay), month: countsOver((d) => d >= monthDay) };
  const figures = (prefix: "t" | "m", bucketKey: "today" | "month"): PeriodFigures => {
    const articles = n(t[`${prefix}Articles`]);
    const failures = n(t[`${prefix}Failures`]);
    const cacheHits = n(t[`${prefix}CacheHits`]);
    const costUsd = n(t[`${prefix}Cost`]);
    const counts = buckets[bucketKey];
    const p50 = latencyPercentile(counts, 0.5);
    const p95 = latencyPercentile(counts, 0.95);
    return {
      articles,
      failures,
      refusals: n(t[`${prefix}Refusals`]),
      cacheHits,
      costUsd,
      savedUsd: n(t[`${prefix}Saved`]),
      costPerArticle: articles ? costUsd / articles : null,
      cacheHitRate: articles ? cacheHits / articles : null,
      errorRate: articles + failures ? failures / (articles + failures) : null,
      p50Ms: p50?.ms ?? null,
      p95Ms: p95?.ms ?? null,
      p95Open: p95?.open ?? false,
    };
  };

  const days = Array.from({ length: 30 }, (_, i) => localDay(new Date(from.getTime() + i * DAY_MS), "UTC"));
  const cost = new Map<string, number>();
  const articles = new Map<string, { SLACK: number; LINE: number; CONSOLE: number }>();
  for (const row of daily) {
    cost.set(row.day, (cost.get(row.day) ?? 0) + n(row.cost));
    const a = articles.get(row.day) ?? { SLACK: 0, LINE: 0, CONSOLE: 0 };
    a[row.platform as "SLACK"] += n(row.articles);
    articles.set(row.day, a);
  }
  const withLimit = budget.workspaces.filter((w) => w.limitUsd !== null);
  const month = {
    ...figures("m", "month"),
    budget: {
      ...budget.overall,
      workspaces: withLimit.length,
      near: withLimit.filter((w) => w.spentUsd >= 0.8 * w.limitUsd! && w.spentUsd < w.limitUsd!).length,
      over: withLimit.filter((w) => w.spentUsd >= w.limitUsd!).length,
    },
  };

  return {
    today: figures("t", "today"),
    month,
    days,
    latencyPerDay: days.map((day) => {
      const counts = countsOver((d) => d === day);
      return {
        day,
        p50Ms: latencyPercentile(counts, 0.5)?.ms ?? null,
        p95Ms: latencyPercentile(counts, 0.95)?.ms ?? null,
      };
    }),
    costPerDay: days.map((day) => ({ day, value: cost.get(day) ?? 0 })),
    articlesPerDay: days.map((day) => ({ day, ...(articles.get(day) ?? { SLACK: 0, LINE: 0, CONSOLE: 0 }) })),
    tokensByModel: models.map((r) => ({
      model: r.model,
      operation: r.operation,
      calls: n(r.calls),
      tokens: n(r.tokens),
      costUsd: n(r.cost),
    })),
    topRequesters: top.map((r) => ({
      id: r.id,
      name: r.displayName || r.externalId,
      platform: r.platform,
      workspace: r.workspace,
      tier: r.tier,
      articles: n(r.articles),
      costUsd: n(r.cost),
      budgetUsd: r.budget === null ? null : n(r.budget),
    })),
    parts: describeConfig(app.config).map((line) => {
      const [, name = line, value = ""] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
      return { name, value };
    }),
    counts: { tiers, tenants, requesters },
  };
}

/**
 * The q-quantile in ms, read from bucket counts: linear within the bucket that holds it (the
 * usual histogram estimate), or that bucket's lower bound with `open` when it is the last one.
 */
export function latencyPercentile(counts: number[], q: number): { ms: number; open: boolean } | null {
  const i = percentile(counts, q);
  if (i === null) return null;
  const lower = i ? (LATENCY_BUCKETS_MS[i - 1] ?? 0) : 0;
  const upper = LATENCY_BUCKETS_MS[i] ?? Infinity;
  if (!Number.isFinite(upper)) return { ms: lower, open: true };
  const total = counts.reduce((a, b) => a + b, 0);
  const before = counts.slice(0, i).reduce((a, b) => a + b, 0);
  const inBucket = counts[i] ?? 0;
  const fraction = inBucket ? Math.min(1, Math.max(0, (q * total - before) / inBucket)) : 1;
  return { ms: Math.round(lower + fraction * (upper - lower)), open: false };
}

/** Index of the bucket holding the q-quantile of counts per bucket, or null when empty. */
export function percentile(counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total) return null;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= q * total) return i;
  }
  return counts.length - 1;
}
