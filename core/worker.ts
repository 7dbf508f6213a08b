import type { AppContext } from "./app.ts";
import { purgeExpired } from "./housekeeping.ts";
import type { Pipeline } from "./pipeline/index.ts";

export interface Worker {
  close(): Promise<void>;
}

const HOUSEKEEPING_EVERY_MS = 10 * 60_000;

/**
 * The worker process: writes the queued articles (so the ingress can acknowledge at once)
 * and runs periodic housekeeping (expired rows, budget alerts).
 */
export async function startWorker(app: AppContext, pipeline: Pipeline): Promise<Worker> {
  const log = app.logger.child({ part: "worker" });
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = purgeExpired(app.db)
      .then((report) => {
        if (report.sessionsPurged || report.cacheEntriesPurged || report.orphansFailed)
          log.info(report, "housekeeping purged expired rows");
      })
      .catch((error) => log.warn({ err: error }, "housekeeping failed; will retry"))
      // Budget alerts also go out when spend arrives without a delivery here (another worker).
      .then(async () => {
        await pipeline.budgets.check();
      });
  };
  tick();
  pipeline.startWorker();
  const timer = setInterval(tick, HOUSEKEEPING_EVERY_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      // Stops taking jobs and waits for the articles in hand; BullMQ hands unfinished ones on.
      await pipeline.close();
      await running;
    },
  };
}
