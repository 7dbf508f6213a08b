import type { Database } from "../db/client.ts";
import { type CapDefaults, limitSettings, overallSpend } from "../quota/caps.ts";
import { dayColumn, localMonth, nextLocalMonth, startOfLocalMonth } from "../time.ts";
import type { BudgetSource, BudgetStatus, SentAlerts } from "./alerts.ts";

/**
 * The monthly budgets that mean something: each workspace's and the whole service's, as
 * used/limit with a month-end projection. One reading for the console and the alert sender, so
 * the page and the alert can never disagree. Limits resolve like the caps (core/quota/caps.ts):
 * the console's value, else the environment default, else none.
 */

export interface BudgetReport {
  period: string;
  overall: { spentUsd: number; limitUsd: number | null; projectedUsd: number; dailySpendUsd: number | null };
  /** Workspaces with a budget or with spend this month, largest share of budget first. */
  workspaces: Array<{
    id: string;
    label: string;
    spentUsd: number;
    limitUsd: number | null;
    projectedUsd: number;
    /** The limit is the workspace's own (false: the default for every workspace). */
    own: boolean;
  }>;
}

/** Straight-line projection: spend so far ÷ share of the month elapsed. */
export function projectMonthEnd(spentUsd: number, now: Date, timeZone: string): number {
  const start = startOfLocalMonth(now, timeZone).instant.getTime();
  const end = nextLocalMonth(now, timeZone).getTime();
  const elapsed = Math.max(now.getTime() - start, 3_600_000); // an hour at least: no ×700 on the 1st
  return (spentUsd * (end - start)) / Math.min(elapsed, end - start);
}

export async function monthlyBudgets(
  db: Database,
  defaults: CapDefaults,
  timeZone: string,
  now = new Date(),
): Promise<BudgetReport> {
  const monthStart = startOfLocalMonth(now, timeZone).column;
  const [settings, overall, spend] = await Promise.all([
    limitSettings(db),
    overallSpend(db, dayColumn(now, timeZone), monthStart),
    db.prisma.$queryRaw<
      Array<{ id: string; name: string; externalId: string; own: string | null; spent: string }>
    >`
      SELECT t.id, t.name, t."externalId", t."monthlyBudgetUsd"::text AS own,
        COALESCE(SUM(u."costUsd"), 0)::text AS spent
      FROM "Tenant" t
      LEFT JOIN "DailyTenantUsage" u ON u."tenantId" = t.id AND u.day >= ${monthStart}
      GROUP BY t.id
      HAVING t."monthlyBudgetUsd" IS NOT NULL OR SUM(u."costUsd") > 0`,
  ]);
  const project = (usd: number) => projectMonthEnd(usd, now, timeZone);
  const workspaces = spend.map((t) => {
    const spentUsd = Number(t.spent);
    const limitUsd = t.own !== null ? Number(t.own) : defaults.tenantMonthlyBudgetUsd;
    return {
      id: t.id,
      label: t.name || t.externalId,
      spentUsd,
      limitUsd,
      projectedUsd: project(spentUsd),
      own: t.own !== null,
    };
  });
  const share = (w: { spentUsd: number; limitUsd: number | null }) =>
    w.limitUsd ? w.spentUsd / w.limitUsd : -1;
  workspaces.sort((a, b) => share(b) - share(a) || b.spentUsd - a.spentUsd);
  // Overall spend is every priced call (the judge's too), as the overall caps count it.
  const spentUsd = overall.month;
  return {
    period: localMonth(now, timeZone),
    overall: {
      spentUsd,
      limitUsd: settings.monthlyBudgetUsd ?? defaults.overallMonthlyBudgetUsd,
      projectedUsd: project(spentUsd),
      dailySpendUsd: settings.dailySpendUsd ?? defaults.overallDailySpendUsd,
    },
    workspaces,
  };
}

/** The alert sender's view (core/budget/alerts.ts): every budget that has a limit. */
export function budgetSource(
  db: Database,
  defaults: CapDefaults,
  timeZone: string,
  now = () => new Date(),
): BudgetSource {
  return {
    async budgets() {
      const r = await monthlyBudgets(db, defaults, timeZone, now());
      const out: BudgetStatus[] = [];
      if (r.overall.limitUsd !== null)
        out.push({
          key: "global",
          label: "All workspaces",
          period: r.period,
          spentUsd: r.overall.spentUsd,
          limitUsd: r.overall.limitUsd,
        });
      for (const w of r.workspaces)
        if (w.limitUsd !== null)
          out.push({
            key: `tenant:${w.id}`,
            label: w.label,
            period: r.period,
            spentUsd: w.spentUsd,
            limitUsd: w.limitUsd,
          });
      return out;
    },
  };
}

/** One row per (budget, period, threshold): the first process to insert it sends the alert. */
export function databaseSentAlerts(db: Database): SentAlerts {
  return {
    async claim(key, period, threshold) {
      const created = await db.prisma.budgetAlert.createMany({
        data: [{ key, period, threshold: Math.round(threshold * 100) }],
        skipDuplicates: true,
      });
      return created.count === 1;
    },
  };
}
