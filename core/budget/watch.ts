import type { AppContext } from "../app.ts";
import { limitSettings } from "../quota/caps.ts";
import { checkBudgets, type Notifier, slackWebhookNotifier } from "./alerts.ts";
import { budgetSource, databaseSentAlerts } from "./budgets.ts";
import { emailNotifier } from "./email.ts";

/** After a delivery, budgets are checked again at most this often per process. */
const AFTER_DELIVERY_EVERY_MS = 30_000;

/**
 * Wires the alert sender (core/budget/alerts.ts) to the real budgets, the BudgetAlert table and
 * the destinations saved in the console: called by the worker's housekeeping tick and after
 * deliveries (coalesced, so a burst of deliveries costs one check).
 */
export class BudgetWatch {
  private last = 0;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly app: Pick<AppContext, "db" | "config" | "logger">,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** One pass now; resolves with what was sent. Never throws: a failure is logged. */
  async check(now = () => new Date()) {
    const { db, config, logger } = this.app;
    try {
      const notifier = await this.notifier();
      // No destination yet: claim nothing, so the alert still goes out once one is saved.
      if (!notifier) return [];
      const sent = await checkBudgets(
        budgetSource(db, config.caps, config.quotaTimeZone, now),
        databaseSentAlerts(db),
        notifier,
      );
      if (sent.length) logger.info({ sent }, "budget alerts sent");
      return sent;
    } catch (error) {
      logger.warn({ err: error }, "budget alert check failed; the next tick tries again");
      return [];
    }
  }

  /** After a delivery: a check unless one ran in the last 30 s. */
  afterDelivery(): void {
    const now = Date.now();
    if (now - this.last < AFTER_DELIVERY_EVERY_MS) return;
    this.last = now;
    this.running = this.running.then(() => this.check());
  }

  /** Waits for a check started by afterDelivery (tests, shutdown). */
  idle(): Promise<unknown> {
    return this.running;
  }

  private async notifier(): Promise<Notifier | null> {
    const s = await limitSettings(this.app.db);
    const smtp = this.app.config.smtp;
    const targets: Notifier[] = [];
    if (s.alertWebhookUrl) targets.push(slackWebhookNotifier(s.alertWebhookUrl, this.fetchImpl));
    if (s.alertEmail && smtp) targets.push(emailNotifier(smtp, s.alertEmail));
    if (!targets.length) return null;
    return {
      // Every destination is tried; one failing does not silence the other.
      async send(text) {
        const results = await Promise.allSettled(targets.map((t) => t.send(text)));
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      },
    };
  }
}
