import type { AppContext } from "../../core/app.ts";
import type { Logger } from "../../core/logger.ts";
import { chatMessageQuota } from "../../core/metrics.ts";
import { saveMessageQuota } from "../../core/records/message-quota.ts";
import type { LineApi } from "./client.ts";

/** The quota is read again this often: fresh enough for a forecast, two calls per interval. */
export const QUOTA_REFRESH_MS = 5 * 60_000;

/**
 * Keeps the Official Account's monthly message limit and use (GET /v2/bot/message/quota and
 * /quota/consumption) on its tenant row and in metrics, for the console and the alerts. Best
 * effort: a failed read leaves the last one in place.
 */
export function watchMessageQuota(
  app: AppContext,
  api: LineApi,
  channel: string,
  logger: Logger,
): { refresh(): Promise<void>; stop(): void } {
  const refresh = async () => {
    try {
      const q = await api.messageQuota();
      await saveMessageQuota(app.db, { platform: "LINE", externalId: channel }, q);
      chatMessageQuota.set({ platform: "LINE", kind: "used" }, q.used);
      if (q.limit !== null) chatMessageQuota.set({ platform: "LINE", kind: "limit" }, q.limit);
    } catch (err) {
      logger.warn({ err }, "LINE message quota not read");
    }
  };
  const timer = setInterval(() => void refresh(), QUOTA_REFRESH_MS);
  timer.unref();
  void refresh();
  return { refresh, stop: () => clearInterval(timer) };
}
