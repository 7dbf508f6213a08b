import type { AppContext } from "../app.ts";
import { queuePrefix } from "../jobs/index.ts";
import { DatabaseInbox } from "./database.ts";
import { StreamInbox } from "./redis-stream.ts";

/**
 * Where a chat platform's acknowledged deliveries wait to be handled. A platform that does not
 * send an event again once it got a 200 (LINE; Slack once acknowledged) must not lose it when
 * this process dies a moment later, so the inbox is stored: a Redis stream when Redis is
 * configured, a database table otherwise (the embedded profile). Entries are opaque: the
 * platform's payload as it arrived, and when.
 *
 * `put` answers false only when the inbox is full: the webhook then answers 503 and the
 * platform redelivers (when it does).
 */
export interface InboxEntry {
  /** The delivery as the platform sent it (stored as is, not re-encoded). */
  payload: string;
  /** Epoch milliseconds when the webhook received it. */
  receivedAt: number;
}

export interface Inbox {
  put(entry: InboxEntry): Promise<boolean>;
  /**
   * True while `put` would answer false (as last counted: within about a second), so a webhook
   * can turn a delivery away before reading or storing anything.
   */
  full(): boolean;
  /** Handles entries as they come, a few at a time; each is removed once `handle` settles. */
  start(handle: (entry: InboxEntry) => Promise<void>): void;
  /** Stops taking work and waits for the entries in hand. */
  close(): Promise<void>;
}

export interface InboxOptions {
  /** Entries handled at once by this process while its webhook is calm. */
  concurrency: number;
  /**
   * Deliveries per second above which this process is flooded: handling is database work that
   * shares the event loop with acknowledging, and during a flood acknowledging within the
   * platform's deadline comes first (the inbox keeps the rest), so handling starts again at one
   * entry at a time and speeds up only while the loop keeps up (see Pressure).
   */
  busyPerSecond: number;
  /**
   * During a flood, how late (ms, worst over a second) the event loop may run while handling
   * speeds up; past it, handling slows back down (default 20: acknowledgements stay well
   * inside a platform's deadline).
   */
  floodLagMs?: number;
  /** Entries waiting, past which `put` answers false. */
  maxWaiting: number;
  /** An entry taken by a process that has not finished it this long is taken over. */
  reclaimAfterMs: number;
}

/** `name` keeps platforms apart ("line", "slack"); the store is chosen from the configuration. */
export function createInbox(app: AppContext, name: string, opts: InboxOptions): Inbox {
  if (app.redis && app.config.redis)
    // Per database, like the article queue: deployments sharing a Redis keep their own inbox.
    return new StreamInbox({
      redis: app.redis,
      url: app.config.redis.url,
      key: `${queuePrefix(app.config.database)}:${name}-inbox`,
      group: `${name}-bot`,
      logger: app.logger,
      ...opts,
    });
  return new DatabaseInbox({
    db: app.db,
    name,
    logger: app.logger,
    // PGlite is opened by one process only: what the last one held was in flight when it died.
    exclusive: app.db.kind === "pglite",
    ...opts,
  });
}
