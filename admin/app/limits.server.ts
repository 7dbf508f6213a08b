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

export interface LimitRow {
  id: string;
  name: string;
  platform: string;
  workspace: string;
  tier: { id: string; name: string; own: boolean };
  refused: { today: number; month: number };
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
  };
}
