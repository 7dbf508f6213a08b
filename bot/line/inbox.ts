import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import type { AppContext } from "../../core/app.ts";
import { queuePrefix } from "../../core/jobs/index.ts";
import { Semaphore } from "../../core/semaphore.ts";
import { parseWebhookBatch, type WebhookBatch } from "./ingress/webhook.ts";

/**
 * Where an acknowledged webhook delivery waits for its events to be handled. LINE does not
 * send an event again once it got a 200 (and redelivery is off unless the channel turns it
 * on), so with Redis configured the inbox is a Redis stream: a delivery acknowledged is a
 * delivery kept, even if this process dies a moment later — another bot process picks it up.
 * The embedded profile is one process, and its inbox is memory.
 *
 * The webhook answers 503 only when the inbox is full: LINE then redelivers (when enabled).
 */
export interface Inbox {
  /** False when full. `raw` is the delivery's JSON as LINE sent it (stored as is, not re-encoded). */
  put(delivery: WebhookBatch, raw: string): Promise<boolean>;
  /** Handles deliveries as they come, a few at a time; `handle` never throws. */
  start(handle: (delivery: WebhookBatch) => Promise<void>): void;
  /** Stops taking work and waits for the deliveries in hand. */
  close(): Promise<void>;
}

export interface InboxOptions {
  /** Deliveries handled at once by this process while its webhook is calm. */
  concurrency: number;
  /**
   * Webhook deliveries per second above which this process handles one delivery at a time:
   * handling is database work that shares the event loop with acknowledging, and during a
   * flood acknowledging within LINE's 2 s comes first (the inbox keeps the rest).
   */
  busyPerSecond: number;
  /** Deliveries waiting, past which the webhook answers 503. */
  maxWaiting: number;
  /** A delivery taken by a process that has not finished it this long is taken over (Redis only). */
  reclaimAfterMs: number;
}

export function createInbox(app: AppContext, opts: InboxOptions): Inbox {
  if (!app.redis || !app.config.redis) return new MemoryInbox(opts);
  // Per database, like the article queue: deployments sharing a Redis keep their own inbox.
  return new StreamInbox(
    app.redis,
    app.config.redis.url,
    `${queuePrefix(app.config.database)}:line-inbox`,
    opts,
    app,
  );
}

/** Deliveries put per second (this one and the last), and the concurrency that allows. */
class Pressure {
  private second = 0;
  private count = 0;
  private previous = 0;

  constructor(private readonly opts: Pick<InboxOptions, "concurrency" | "busyPerSecond">) {}

  hit(): void {
    this.roll();
    this.count += 1;
  }

  concurrency(): number {
    this.roll();
    return Math.max(this.count, this.previous) > this.opts.busyPerSecond ? 1 : this.opts.concurrency;
  }

  private roll(): void {
    const now = Math.floor(Date.now() / 1000);
    if (now === this.second) return;
    this.previous = now === this.second + 1 ? this.count : 0;
    this.count = 0;
    this.second = now;
  }
}

class MemoryInbox implements Inbox {
  private backlog: Semaphore | null = null;
  private handle: (delivery: WebhookBatch) => Promise<void> = async () => undefined;
  private readonly pressure: Pressure;

  constructor(private readonly opts: InboxOptions) {
    this.pressure = new Pressure(opts);
  }

  async put(delivery: WebhookBatch): Promise<boolean> {
    this.pressure.hit();
    // `handle` never throws (it logs); the semaphore swallows anything that slips through.
    return this.backlog?.tryRun(() => this.handle(delivery)) ?? false;
  }

  start(handle: (delivery: WebhookBatch) => Promise<void>): void {
    this.handle = handle;
    this.backlog = new Semaphore({
      maxWaiting: this.opts.maxWaiting,
      permits: () => this.pressure.concurrency(),
    });
  }

  async close(): Promise<void> {
    await this.backlog?.idle();
  }
}

const GROUP = "line-bot";
const FULL_CHECK_MS = 1_000;
const BLOCK_MS = 2_000;

/**
 * A Redis stream with a consumer group: XADD on the webhook's path (one command), XREADGROUP in
 * each bot process, XACK + XDEL once handled. A process that dies leaves its entries pending;
 * another process claims them (XAUTOCLAIM) once they have been idle for `reclaimAfterMs`.
 * Needs Redis 6.2 or later.
 */
class StreamInbox implements Inbox {
  private readonly key: string;
  private readonly consumer = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private reader: Redis | null = null;
  private waiting = 0;
  private readonly timer: NodeJS.Timeout;
  private running = 0;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private slotFreed: (() => void) | null = null;
  private idle: Array<() => void> = [];
  private readonly stop = new AbortController();
  private readonly pressure: Pressure;

  constructor(
    private readonly redis: Redis,
    private readonly url: string,
    key: string,
    private readonly opts: InboxOptions,
    private readonly app: AppContext,
  ) {
    this.key = key;
    this.pressure = new Pressure(opts);
    this.timer = setInterval(() => {
      this.redis.xlen(this.key).then(
        (n) => (this.waiting = n),
        () => undefined,
      );
    }, FULL_CHECK_MS);
    this.timer.unref();
  }

  async put(delivery: WebhookBatch, raw: string): Promise<boolean> {
    this.pressure.hit();
    if (this.waiting >= this.opts.maxWaiting) return false;
    await this.redis.xadd(this.key, "*", "d", raw, "t", String(delivery.receivedAt));
    return true;
  }

  start(handle: (delivery: WebhookBatch) => Promise<void>): void {
    this.reader = new Redis(this.url, { maxRetriesPerRequest: null });
    this.reader.on("error", () => undefined);
    this.loops = [this.readLoop(handle), this.reclaimLoop(handle)];
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.stop.abort();
    clearInterval(this.timer);
    this.slotFreed?.();
    this.reader?.disconnect(); // ends a blocked XREADGROUP at once
    await Promise.allSettled(this.loops);
    if (this.running) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async readLoop(handle: (delivery: WebhookBatch) => Promise<void>): Promise<void> {
    await this.redis.xgroup("CREATE", this.key, GROUP, "0", "MKSTREAM").catch((err: Error) => {
      if (!/BUSYGROUP/.test(err.message)) throw err;
    });
    while (!this.stopping) {
      const free = this.pressure.concurrency() - this.running;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        const res = (await this.reader!.xreadgroup(
          "GROUP",
          GROUP,
          this.consumer,
          "COUNT",
          free,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          this.key,
          ">",
        )) as StreamReply | null;
        for (const [id, fields] of res?.[0]?.[1] ?? []) this.run(id, fields, handle);
      } catch (err) {
        if (this.stopping) return;
        this.app.logger.warn({ err }, "LINE inbox read failed; retrying");
        await this.pause(1_000);
      }
    }
  }

  /** Entries a dead process took and never acknowledged. */
  private async reclaimLoop(handle: (delivery: WebhookBatch) => Promise<void>): Promise<void> {
    const every = Math.max(50, Math.floor(this.opts.reclaimAfterMs / 4));
    while (!this.stopping) {
      await this.pause(every);
      const free = this.pressure.concurrency() - this.running;
      if (this.stopping || free <= 0) continue;
      try {
        const [, entries] = (await this.redis.xautoclaim(
          this.key,
          GROUP,
          this.consumer,
          this.opts.reclaimAfterMs,
          "0-0",
          "COUNT",
          free,
        )) as [string, StreamEntry[]];
        for (const [id, fields] of entries) if (fields) this.run(id, fields, handle);
      } catch (err) {
        if (!this.stopping) this.app.logger.warn({ err }, "LINE inbox reclaim failed; will retry");
      }
    }
  }

  /** Waits, or less if the inbox is closing. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }

  private run(id: string, fields: string[], handle: (delivery: WebhookBatch) => Promise<void>): void {
    this.running += 1;
    void (async () => {
      try {
        const field = (name: string) => fields[fields.indexOf(name) + 1];
        const delivery = parseWebhookBatch(field("d") ?? "", Number(field("t")) || Date.now());
        if (delivery) await handle(delivery);
      } catch (err) {
        this.app.logger.error({ err, id }, "LINE inbox entry could not be handled; dropped");
      }
      await this.redis
        .multi()
        .xack(this.key, GROUP, id)
        .xdel(this.key, id)
        .exec()
        .catch((err) => {
          // Left pending: another process re-claims it later, and the per-event claims keep it from being answered twice.
          this.app.logger.warn({ err, id }, "LINE inbox entry handled but not acknowledged");
        });
    })().finally(() => {
      this.running -= 1;
      const freed = this.slotFreed;
      this.slotFreed = null;
      freed?.();
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }
}

type StreamEntry = [id: string, fields: string[]];
type StreamReply = [key: string, entries: StreamEntry[]][];
