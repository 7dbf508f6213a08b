import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import type { Inbox, InboxEntry, InboxOptions } from "./inbox.ts";
import { Pressure } from "./pressure.ts";

export interface StreamInboxOptions extends InboxOptions {
  redis: Redis;
  /** For the blocking reader's own connection. */
  url: string;
  key: string;
  group: string;
  logger: Logger;
}

const FULL_CHECK_MS = 1_000;
const BLOCK_MS = 2_000;

/**
 * A Redis stream with a consumer group: XADD on the webhook's path (one command), XREADGROUP in
 * each bot process, XACK + XDEL once handled. A process that dies leaves its entries pending;
 * another process claims them (XAUTOCLAIM) once they have been idle for `reclaimAfterMs`.
 * Needs Redis 6.2 or later.
 */
export class StreamInbox implements Inbox {
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

  constructor(private readonly opts: StreamInboxOptions) {
    this.pressure = new Pressure(opts);
    this.timer = setInterval(() => {
      this.opts.redis.xlen(this.opts.key).then(
        (n) => (this.waiting = n),
        () => undefined,
      );
    }, FULL_CHECK_MS);
    this.timer.unref();
  }

  full(): boolean {
    return this.waiting >= this.opts.maxWaiting;
  }

  async put(entry: InboxEntry): Promise<boolean> {
    this.pressure.hit();
    if (this.waiting >= this.opts.maxWaiting) return false;
    await this.opts.redis.xadd(this.opts.key, "*", "d", entry.payload, "t", String(entry.receivedAt));
    return true;
  }

  start(handle: (entry: InboxEntry) => Promise<void>): void {
    this.reader = new Redis(this.opts.url, { maxRetriesPerRequest: null });
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

  private async readLoop(handle: (entry: InboxEntry) => Promise<void>): Promise<void> {
    const { redis, key, group } = this.opts;
    await redis.xgroup("CREATE", key, group, "0", "MKSTREAM").catch((err: Error) => {
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
          group,
          this.consumer,
          "COUNT",
          free,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          key,
          ">",
        )) as StreamReply | null;
        for (const [id, fields] of res?.[0]?.[1] ?? []) this.run(id, fields, handle);
      } catch (err) {
        if (this.stopping) return;
        this.opts.logger.warn({ err, inbox: key }, "inbox read failed; retrying");
        await this.pause(1_000);
      }
    }
  }

  /** Entries a dead process took and never acknowledged. */
  private async reclaimLoop(handle: (entry: InboxEntry) => Promise<void>): Promise<void> {
    const every = Math.max(50, Math.floor(this.opts.reclaimAfterMs / 4));
    while (!this.stopping) {
      await this.pause(every);
      const free = this.pressure.concurrency() - this.running;
      if (this.stopping || free <= 0) continue;
      try {
        const [, entries] = (await this.opts.redis.xautoclaim(
          this.opts.key,
          this.opts.group,
          this.consumer,
          this.opts.reclaimAfterMs,
          "0-0",
          "COUNT",
          free,
        )) as [string, StreamEntry[]];
        for (const [id, fields] of entries) if (fields) this.run(id, fields, handle);
      } catch (err) {
        if (!this.stopping) this.opts.logger.warn({ err, inbox: this.opts.key }, "inbox reclaim failed");
      }
    }
  }

  /** Waits, or less if the inbox is closing. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stop.signal }).catch(() => undefined);
  }

  private run(id: string, fields: string[], handle: (entry: InboxEntry) => Promise<void>): void {
    this.running += 1;
    void (async () => {
      try {
        const field = (name: string) => fields[fields.indexOf(name) + 1];
        await handle({ payload: field("d") ?? "", receivedAt: Number(field("t")) || Date.now() });
      } catch (err) {
        this.opts.logger.error(
          { err, id, inbox: this.opts.key },
          "inbox entry could not be handled; dropped",
        );
      }
      await this.opts.redis
        .multi()
        .xack(this.opts.key, this.opts.group, id)
        .xdel(this.opts.key, id)
        .exec()
        .catch((err) => {
          // Left pending: another process re-claims it later, and the platform's per-event claims keep it from being answered twice.
          this.opts.logger.warn({ err, id }, "inbox entry handled but not acknowledged");
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
