import { type Actor, audited, diff } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import { projectMonthEnd } from "../../core/budget/budgets.ts";
import { limitSettings } from "../../core/quota/caps.ts";
import { dayColumn, startOfLocalMonth } from "../../core/time.ts";

/**
 * Console edits of the caps above the tiers (core/quota/caps.ts): a workspace's daily articles
 * and monthly budget, and the overall daily spend cap, monthly budget and alert destinations.
 * Blank means "the environment default" (decision 110). Each change writes its audit row.
 */

type Change = { ok: true; notice: string } | { ok: false; formError: string };

export async function setWorkspaceLimits(
  app: AppContext,
  actor: Actor,
  tenantId: string,
  next: { dailyArticleLimit: number | null; monthlyBudgetUsd: string | null },
): Promise<Change> {
  return audited<Change>(app.db, actor, async (tx) => {
    const t = await tx.tenant.findUnique({ where: { id: tenantId } });
    if (!t) return { audit: null, value: { ok: false, formError: "This workspace no longer exists." } };
    const before = {
      dailyArticleLimit: t.dailyArticleLimit,
      monthlyBudgetUsd: t.monthlyBudgetUsd === null ? null : t.monthlyBudgetUsd.toFixed(2),
    };
    const after = {
      dailyArticleLimit: next.dailyArticleLimit,
      monthlyBudgetUsd: next.monthlyBudgetUsd === null ? null : Number(next.monthlyBudgetUsd).toFixed(2),
    };
    const changed = diff(before, after);
    if (!changed) return { audit: null, value: { ok: true, notice: "Nothing changed." } };
    await tx.tenant.update({ where: { id: tenantId }, data: after });
    return {
      audit: { action: "workspace.limits", entityType: "Tenant", entityId: tenantId, ...changed },
      value: {
        ok: true,
        notice: `Limits of ${t.name || t.externalId} saved; they apply from the next request.`,
      },
    };
  });
}

export interface LimitSettingsInput {
  dailySpendUsd: string | null;
  monthlyBudgetUsd: string | null;
  alertWebhookUrl: string | null;
  alertEmail: string | null;
}

export async function saveLimitSettings(
  app: AppContext,
  actor: Actor,
  next: LimitSettingsInput,
): Promise<Change> {
  const current = await limitSettings(app.db);
  const money = (v: number | string | null) => (v === null ? null : Number(v).toFixed(2));
  const before = {
    dailySpendUsd: money(current.dailySpendUsd),
    monthlyBudgetUsd: money(current.monthlyBudgetUsd),
    alertWebhookUrl: current.alertWebhookUrl,
    alertEmail: current.alertEmail,
  };
  const after = {
    dailySpendUsd: money(next.dailySpendUsd),
    monthlyBudgetUsd: money(next.monthlyBudgetUsd),
    alertWebhookUrl: next.alertWebhookUrl,
    alertEmail: next.alertEmail,
  };
  const changed = diff(before, after);
  if (!changed) return { ok: true, notice: "Nothing changed." };
  // The webhook URL is a secret of sorts (anyone holding it can post to the channel): the
  // audit row says it changed, not what it is.
  const hideUrl = (v: Partial<typeof after>) =>
    "alertWebhookUrl" in v ? { ...v, alertWebhookUrl: v.alertWebhookUrl ? "(set)" : null } : v;
  return audited<Change>(app.db, actor, async (tx) => {
    await tx.limitSettings.upsert({
      where: { id: "global" },
      create: { id: "global", ...after },
      update: after,
    });
    return {
      audit: {
        action: "settings.limits",
        entityType: "LimitSettings",
        entityId: "global",
        before: hideUrl(changed.before),
        after: hideUrl(changed.after),
      },
      value: { ok: true, notice: "Overall limits and alerts saved; limits apply from the next request." },
    };
  });
}

/** This month's spend (with projection) and today's articles of the workspaces on one page. */
export async function workspaceUsage(app: AppContext, tenantIds: string[], now = new Date()) {
  const tz = app.config.quotaTimeZone;
  const today = dayColumn(now, tz);
  const rows = tenantIds.length
    ? await app.db.prisma.$queryRaw<Array<{ tenantId: string; spent: string; today: bigint }>>`
        SELECT "tenantId", SUM("costUsd")::text AS spent,
          COALESCE(SUM(articles) FILTER (WHERE day = ${today}), 0)::bigint AS today
        FROM "DailyTenantUsage"
        WHERE "tenantId" = ANY(${tenantIds}) AND day >= ${startOfLocalMonth(now, tz).column}
        GROUP BY "tenantId"`
    : [];
  return new Map(
    rows.map((r) => [
      r.tenantId,
      {
        articlesToday: Number(r.today),
        spentUsd: Number(r.spent),
        projectedUsd: projectMonthEnd(Number(r.spent), now, tz),
      },
    ]),
  );
}
