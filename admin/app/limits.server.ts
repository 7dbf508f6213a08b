import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "../../core/records/tiers.ts";
import { dayColumn, startOfLocalMonth } from "../../core/time.ts";

/**
 * The Limits view: who was refused today and this month, and who is at or above 80 % of their
 * daily limit or monthly budget. Candidates come from this month's rollups (one aggregate);
 * today's use is then read from the quotas themselves, so a reset or an article in flight
 * shows as the bots would count it.
 */

export const NEAR = 0.8;

/**
 * The one label map for refusal reasons, keyed by the limit's stored name (QuotaExceeded.limit:
 * daily, burst, budget, revisions, ...). A name it does not know is shown as stored, so a new
 * limit needs no change here to be listed.
 */
export const REFUSAL_LABEL: Record<string, string> = {
  daily: "Daily article limit",
  budget: "Monthly budget",
  burst: "Per-minute burst",
  revisions: "Revisions per draft",
  workspace_daily: "Workspace's articles a day",
  workspace_budget: "Workspace's monthly budget",
  overall_daily: "Overall daily spend cap",
  overall_budget: "Overall monthly budget",
  unrecorded: "Not recorded (refused before limits were recorded)",
};

export function refusalLabel(reason: string): string {
  return REFUSAL_LABEL[reason] ?? reason;
}

export interface RefusalReason {
  reason: string;
  label: string;
  today: number;
  month: number;
  requesters: number;
}

export interface LimitRow {
  id: string;
  name: string;
  platform: string;
  workspace: string;
  tier: { id: string; name: string; own: boolean };
  refused: { today: number; month: number };
  /** Which limits refused them this month (labels), most refusals first. */
  reasons: string[];
  today: { used: number; limit: number | null; share: number | null };
  month: { spentUsd: number; budgetUsd: number | null; share: number | null };
}

export async function loadLimits(app: AppContext, pipeline: Pipeline, now = new Date()) {
  const tz = app.config.quotaTimeZone;
  const today = dayColumn(now, tz);
  const monthStart = startOfLocalMonth(now, tz).column;
  const rollups = await app.db.prisma.$queryRaw<Array<{ id: string; rToday: number; rMonth: number }>>`
    SELECT u."requesterId" AS id,
      COALESCE(SUM(u."refusals") FILTER (WHERE u."day" = ${today}::date), 0)::float8 AS "rToday",
      SUM(u."refusals")::float8 AS "rMonth"
    FROM "DailyUsage" u
    JOIN "Requester" r ON r."id" = u."requesterId" JOIN "Tenant" t ON t."id" = r."tenantId"
    LEFT JOIN "Tier" rt ON rt."id" = r."tierId" JOIN "Tier" dt ON dt."id" = t."defaultTierId"
    WHERE u."day" BETWEEN ${monthStart}::date AND ${today}::date
    GROUP BY u."requesterId",
      (CASE WHEN r."tierId" IS NOT NULL THEN rt."dailyArticleLimit" ELSE dt."dailyArticleLimit" END),
      (CASE WHEN r."tierId" IS NOT NULL THEN rt."monthlyBudgetUsd" ELSE dt."monthlyBudgetUsd" END)
    HAVING SUM(u."refusals") > 0
      OR SUM(u."articles") FILTER (WHERE u."day" = ${today}::date) >=
        ${NEAR}::float8 * (CASE WHEN r."tierId" IS NOT NULL THEN rt."dailyArticleLimit" ELSE dt."dailyArticleLimit" END)
      OR SUM(u."costUsd") >=
        ${NEAR}::float8 * (CASE WHEN r."tierId" IS NOT NULL THEN rt."monthlyBudgetUsd" ELSE dt."monthlyBudgetUsd" END)
    LIMIT 500`;
  const refusals = new Map(rollups.map((r) => [r.id, r]));
  const byReason = await refusalReasons(app, monthStart, today);
  const people = await app.db.prisma.requester.findMany({
    where: { id: { in: [...refusals.keys()] } },
    include: WITH_EFFECTIVE_TIER,
  });
  const rows: LimitRow[] = await Promise.all(
    people.map(async (r) => {
      const tier = effectiveTier(r);
      const usage = await pipeline.quotas.usage(r.id, tier, now);
      const refused = refusals.get(r.id)!;
      const limit = usage.today.limit;
      const budget = usage.month.budgetUsd;
      return {
        id: r.id,
        name: r.displayName || r.externalId,
        platform: r.platform,
        workspace: r.tenant.name || r.tenant.externalId,
        tier: { id: tier.id, name: tier.name, own: r.tierId !== null },
        refused: { today: refused.rToday, month: refused.rMonth },
        reasons: byReason.rows
          .filter((x) => x.id === r.id)
          .sort((a, b) => b.month - a.month)
          .map((x) => refusalLabel(x.reason)),
        today: { used: usage.today.used, limit, share: limit ? usage.today.used / limit : null },
        month: {
          spentUsd: usage.month.spentUsd,
          budgetUsd: budget,
          share: budget ? usage.month.spentUsd / budget : null,
        },
      };
    }),
  );
  const near = (r: LimitRow) => (r.today.share ?? 0) >= NEAR || (r.month.share ?? 0) >= NEAR;
  const byShare = (a: LimitRow, b: LimitRow) =>
    Math.max(b.today.share ?? 0, b.month.share ?? 0) - Math.max(a.today.share ?? 0, a.month.share ?? 0) ||
    a.name.localeCompare(b.name);
  return {
    refusedToday: rows.filter((r) => r.refused.today > 0).sort((a, b) => b.refused.today - a.refused.today),
    refusedMonth: rows.filter((r) => r.refused.month > 0).sort((a, b) => b.refused.month - a.refused.month),
    near: rows.filter(near).sort(byShare),
    reasons: byReason.summary,
  };
}

/**
 * Refusals this month by the limit that refused them, as each refusal recorded it
 * (`QuotaRefusal`, written with the rollup's count). Refusals the rollups count beyond those
 * rows came before limits were recorded and are listed as unrecorded, so the numbers add up to
 * the rollups' totals.
 */
export async function refusalReasons(app: AppContext, monthStart: Date, today: Date) {
  const rows = await app.db.prisma.$queryRaw<
    Array<{ id: string; reason: string; today: number; month: number }>
  >`
    WITH q AS (
      SELECT "requesterId" AS id, "limit" AS reason,
        COUNT(*) FILTER (WHERE "day" = ${today}::date)::float8 AS today, COUNT(*)::float8 AS month
      FROM "QuotaRefusal" WHERE "day" BETWEEN ${monthStart}::date AND ${today}::date
      GROUP BY 1, 2),
    u AS (
      SELECT "requesterId" AS id,
        COALESCE(SUM("refusals") FILTER (WHERE "day" = ${today}::date), 0)::float8 AS today,
        SUM("refusals")::float8 AS month
      FROM "DailyUsage" WHERE "day" BETWEEN ${monthStart}::date AND ${today}::date AND "refusals" > 0
      GROUP BY 1),
    recorded AS (SELECT id, SUM(today) AS today, SUM(month) AS month FROM q GROUP BY id)
    SELECT id, reason, today, month FROM q
    UNION ALL
    SELECT u.id, 'unrecorded', GREATEST(u.today - COALESCE(r.today, 0), 0), u.month - COALESCE(r.month, 0)
    FROM u LEFT JOIN recorded r USING (id)
    WHERE u.month > COALESCE(r.month, 0)`;
  const summary = new Map<string, RefusalReason>();
  for (const r of rows) {
    const s = summary.get(r.reason) ?? {
      reason: r.reason,
      label: refusalLabel(r.reason),
      today: 0,
      month: 0,
      requesters: 0,
    };
    s.today += r.today;
    s.month += r.month;
    s.requesters += 1;
    summary.set(r.reason, s);
  }
  return {
    rows,
    summary: [...summary.values()].sort((a, b) => b.month - a.month || a.label.localeCompare(b.label)),
  };
}
