import type { AppContext } from "../app.ts";
import { BullJobQueue } from "./bullmq.ts";
import { InProcessQueue } from "./in-process.ts";
import type { JobQueue } from "./queue.ts";

export type { ArticleJob, JobQueue } from "./queue.ts";

export function createJobQueue(app: Pick<AppContext, "config" | "logger">): JobQueue {
  const { redis, database } = app.config;
  if (!redis) return new InProcessQueue();
  return new BullJobQueue({ redisUrl: redis.url, prefix: queuePrefix(database), logger: app.logger });
}

/**
 * Jobs name generations of one database, so the queue is per database: two deployments (or
 * test runs) sharing a Redis never take each other's jobs.
 */
export function queuePrefix(database: AppContext["config"]["database"]): string {
  const name =
    database.kind === "postgres"
      ? decodeURIComponent(new URL(database.url).pathname.slice(1)) || "default"
      : "embedded";
  return `ab:bull:${name}`;
}
