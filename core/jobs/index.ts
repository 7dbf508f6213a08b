import type { AppContext } from "../app.ts";
import { BullJobQueue } from "./bullmq.ts";
import { DatabaseJobQueue } from "./database.ts";
import type { JobQueue } from "./queue.ts";

export type { ArticleJob, JobQueue } from "./queue.ts";

export function createJobQueue(app: Pick<AppContext, "config" | "logger" | "db">): JobQueue {
  const { redis, database } = app.config;
  // PGlite is opened by one process only (core/db/lock.ts), so its queue has one worker.
  if (!redis)
    return new DatabaseJobQueue({ db: app.db, logger: app.logger, exclusive: app.db.kind === "pglite" });
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
