import type { Database } from "../db/client.ts";
import { dayColumn, startOfLocalMonth } from "../time.ts";

/**
 * Workspace (tenant) and overall caps, above every requester's own tier quota: a workspace's
 * articles per day and spend per month, and the whole service's spend per day and per month.
 * A throwaway LINE account gets its own tier quota, but never more than its workspace's.
 *
 * Where a limit comes from (decision 110): the console's value when an admin set one (the
 * workspace row, the LimitSettings row), else the environment default, else no cap.
 */

/** Environment defaults (core/config.ts); null means no cap. */
export interface CapDefaults {
  tenantDailyArticles: number | null;
  tenantMonthlyBudgetUsd: number | null;
  overallDailySpendUsd: number | null;
  overallMonthlyBudgetUsd: number | null;
}

export const NO_CAPS: CapDefaults = {
  tenantDailyArticles: null,
  tenantMonthlyBudgetUsd: null,
  overallDailySpendUsd: null,
  overallMonthlyBudgetUsd: null,
};

type Money = { toString(): string } | number | string;

/** The workspace's own columns (null: the default applies). */
export interface TenantLimits {
  id: string;
  dailyArticleLimit: number | null;
  monthlyBudgetUsd: Money | null;
}

/** The limits in force for one request, after console values and defaults are combined. */
export interface Caps {
  tenantId: string | null;
  tenantDailyArticles: number | null;
  tenantMonthlyBudgetUsd: number | null;
  overallDailySpendUsd: number | null;
  overallMonthlyBudgetUsd: number | null;
}

const usd = (v: Money | null | undefined): number | null => (v == null ? null : Number(v.toString()));

/** The console's overall row, or nulls when nobody saved one yet. */
export async function limitSettings(db: Database) {
  const row = await db.prisma.limitSettings.findUnique({ where: { id: "global" } });
  return {
    dailySpendUsd: usd(row?.dailySpendUsd),
    monthlyBudgetUsd: usd(row?.monthlyBudgetUsd),
    alertWebhookUrl: row?.alertWebhookUrl ?? null,
    alertEmail: row?.alertEmail ?? null,
  };
}

export type LimitSettingsValues = Awaited<ReturnType<typeof limitSettings>>;

/** The console's overall limits (null: the environment default applies). */
export type OverallLimits = Pick<LimitSettingsValues, "dailySpendUsd" | "monthlyBudgetUsd">;

export function resolveCaps(
  defaults: CapDefaults,
  settings: OverallLimits,
  tenant: TenantLimits | null,
): Caps {
  return {
    tenantId: tenant?.id ?? null,
    tenantDailyArticles: tenant ? (tenant.dailyArticleLimit ?? defaults.tenantDailyArticles) : null,
    tenantMonthlyBudgetUsd: tenant ? (usd(tenant.monthlyBudgetUsd) ?? defaults.tenantMonthlyBudgetUsd) : null,
    overallDailySpendUsd: settings.dailySpendUsd ?? defaults.overallDailySpendUsd,
    overallMonthlyBudgetUsd: settings.monthlyBudgetUsd ?? defaults.overallMonthlyBudgetUsd,
  };
}

export function anyCap(c: Caps): boolean {
  return (
    c.tenantDailyArticles !== null ||
    c.tenantMonthlyBudgetUsd !== null ||
    c.overallDailySpendUsd !== null ||
    c.overallMonthlyBudgetUsd !== null
  );
}

/**
 * What was delivered toward each cap: the workspace's articles today and spend this month from
 * DailyTenantUsage (a row per day), and everyone's spend from DailyModelUsage (a few rows per
 * model per day, and it also holds what the quality judge spent, the service's money too) —
 * however many requesters there are. USD as text, so no float rounding
 * creeps into a comparison with a cap.
 */
export async function deliveredTotals(db: Database, tenantId: string | null, now: Date, timeZone: string) {
  const today = dayColumn(now, timeZone);
  const monthStart = startOfLocalMonth(now, timeZone).column;
  const [tenant, overall] = await Promise.all([
    tenantId
      ? db.prisma.$queryRaw<Array<{ articles: bigint; spent: string }>>`
          SELECT COALESCE(SUM(articles) FILTER (WHERE day = ${today}), 0)::bigint AS articles,
            COALESCE(SUM("costUsd"), 0)::text AS spent
          FROM "DailyTenantUsage" WHERE "tenantId" = ${tenantId} AND day >= ${monthStart}`
      : [],
    overallSpend(db, today, monthStart),
  ]);
  return {
    tenantArticlesToday: Number(tenant[0]?.articles ?? 0),
    tenantMonthUsd: Number(tenant[0]?.spent ?? 0),
    overallTodayUsd: overall.today,
    overallMonthUsd: overall.month,
  };
}

/** Everyone's spend today and this month (DailyModelUsage: every priced model call). */
export async function overallSpend(db: Database, today: Date, monthStart: Date) {
  const [row] = await db.prisma.$queryRaw<Array<{ today: string; month: string }>>`
    SELECT COALESCE(SUM("costUsd") FILTER (WHERE day = ${today}), 0)::text AS today,
      COALESCE(SUM("costUsd"), 0)::text AS month
    FROM "DailyModelUsage" WHERE day >= ${monthStart}`;
  return { today: Number(row?.today ?? 0), month: Number(row?.month ?? 0) };
}
