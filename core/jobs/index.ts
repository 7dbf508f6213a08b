import type { AppContext } from "../app.ts";
import { BullJobQueue } from "./bullmq.ts";
import { InProcessQueue } from "./in-process.ts";
import type { JobQueue } from "./queue.ts";

export type { ArticleJob, JobQueue } from "./queue.ts";

export function createJobQueue(app: Pick<AppContext, "config" | "logger">): JobQueue {
  return app.config.redis ? new BullJobQueue({ redisUrl: app.config.redis.url, logger: app.logger }) : new InProcessQueue();
}
