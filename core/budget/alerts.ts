/**
 * Budget alerts: when a budget's spend for its period crosses 80 % or 100 %, tell the admins
 * once per threshold per period, on a Slack incoming webhook or an email address.
 *
 * Built against small interfaces so it can be wired to the tenant and global caps (issue 14,
 * `hardening`) without a second implementation of those caps: a `BudgetSource` says what each
 * budget has spent, a `SentAlerts` store remembers what was already sent, a `Notifier` delivers.
 */

export const THRESHOLDS = [0.8, 1] as const;
export type Threshold = (typeof THRESHOLDS)[number];

export interface BudgetStatus {
  /** Stable key of the budget: "global", "tenant:<id>". */
  key: string;
  /** Readable name for the message: "All workspaces", "Acme Consulting". */
  label: string;
  /** The period the spend belongs to, in the quota time zone: "2026-12". */
  period: string;
  spentUsd: number;
  limitUsd: number;
}

export interface BudgetSource {
  budgets(): Promise<BudgetStatus[]>;
}

export interface SentAlerts {
  /** Records the alert and returns true only the first time for (key, period, threshold). */
  claim(key: string, period: string, threshold: Threshold): Promise<boolean>;
}

export interface Notifier {
  send(text: string): Promise<void>;
}

export function alertText(b: BudgetStatus, threshold: Threshold): string {
  const used = Math.round((b.spentUsd / b.limitUsd) * 100);
  const money = (v: number) => `$${v.toFixed(2)}`;
  return threshold >= 1
    ? `Budget reached: ${b.label} has spent ${money(b.spentUsd)} of ${money(b.limitUsd)} in ${b.period} (${used} %).`
    : `Budget at ${used} %: ${b.label} has spent ${money(b.spentUsd)} of ${money(b.limitUsd)} in ${b.period}.`;
}

/**
 * One pass: for each budget, the highest threshold crossed is claimed and sent (a lower one
 * crossed at the same time is claimed silently, so a jump from 50 % to 120 % sends one message).
 * A failed send releases nothing: the claim stays, so a flaky webhook never spams; the caller
 * logs the error. Returns what was sent.
 */
export async function checkBudgets(
  source: BudgetSource,
  sent: SentAlerts,
  notifier: Notifier,
): Promise<Array<{ key: string; period: string; threshold: Threshold }>> {
  const out: Array<{ key: string; period: string; threshold: Threshold }> = [];
  for (const b of await source.budgets()) {
    if (!(b.limitUsd > 0)) continue;
    const crossed = THRESHOLDS.filter((t) => b.spentUsd >= t * b.limitUsd);
    const top = crossed.at(-1);
    if (top === undefined) continue;
    const fresh: Threshold[] = [];
    for (const t of crossed) if (await sent.claim(b.key, b.period, t)) fresh.push(t);
    if (!fresh.includes(top)) continue;
    await notifier.send(alertText(b, top));
    out.push({ key: b.key, period: b.period, threshold: top });
  }
  return out;
}

/** In memory: enough for one process and for tests; a database table belongs with the caps. */
export function memorySentAlerts(): SentAlerts {
  const seen = new Set<string>();
  return {
    async claim(key, period, threshold) {
      const id = `${key}|${period}|${threshold}`;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    },
  };
}

/** A Slack incoming webhook (https://api.slack.com/messaging/webhooks): POST {"text"}. */
export function slackWebhookNotifier(url: string, fetchImpl: typeof fetch = fetch): Notifier {
  return {
    async send(text) {
      const res = await fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new Error(`Slack webhook answered ${res.status}`);
    },
  };
}
