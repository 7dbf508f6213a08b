import type { AppContext } from "../core/app.ts";
import { purgeExpired } from "../core/housekeeping.ts";

export interface Worker {
  close(): Promise<void>;
}

const HOUSEKEEPING_EVERY_MS = 10 * 60_000;

/**
 * The worker process: consumes background work so the ingress can acknowledge at once.
 * Today that is periodic housekeeping; the article-queue consumers join it with the pipeline.
 */
export async function startWorker(app: AppContext): Promise<Worker> {
  const log = app.logger.child({ part: "worker" });
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = purgeExpired(app.db)
      .then((report) => {
        if (report.sessionsPurged || report.cacheEntriesPurged) log.info(report, "housekeeping purged expired rows");
      })
      .catch((error) => log.warn({ err: error }, "housekeeping failed; will retry"));
  };
  tick();
  const timer = setInterval(tick, HOUSEKEEPING_EVERY_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
