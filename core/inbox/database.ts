import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { Inbox, InboxEntry, InboxOptions } from "./inbox.ts";
import { Pressure } from "./pressure.ts";

export interface DatabaseInboxOptions extends InboxOptions {
  db: Database;
  /** Which inbox in the shared table ("line", "slack"). */
  name: string;
  logger: Logger;
  /**
   * This process is the only one that can ever read the table (PGlite), so entries found taken
   * at start-up were in the hands of a process that died: they are taken back at once.
   */
  exclusive: boolean;
  /** How often an idle reader looks for entries other processes put (its own puts wake it). */
  pollMs?: number;
}

const COUNT_EVERY_MS = 1_000;

/**
 * The inbox as rows of InboxEntry, for when there is no Redis: an entry is one INSERT on the
 * webhook's path, taken with a lease (FOR UPDATE SKIP LOCKED, so several processes on one
 * PostgreSQL never take the same entry), renewed while it is handled, and deleted once handled.
 * An entry whose process died is taken over when its lease runs out — or at once at an
 * exclusive start-up.
 */
export class DatabaseInbox implements Inbox {
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly pressure: Pressure;
  private readonly held = new Set<string>();
  private readonly runs = new Set<Promise<void>>();
  private handle: ((entry: InboxEntry) => Promise<void>) | null = null;
  private waiting = 0;
  private stopping = false;
  private pumping = false;
  private again = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private started: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DatabaseInboxOptions) {
    this.pressure = new Pressure(opts);
    this.every(COUNT_EVERY_MS, async () => {
      this.waiting = await this.prisma.inboxEntry.count({ where: { inbox: opts.name } });
    });
  }

  full(): boolean {
    return this.waiting >= this.opts.maxWaiting;
  }

  async put(entry: InboxEntry): Promise<boolean> {
    this.pressure.hit();
    if (this.waiting >= this.opts.maxWaiting) return false;
    await this.prisma.inboxEntry.create({
      data: { inbox: this.opts.name, payload: entry.payload, receivedAt: new Date(entry.receivedAt) },
    });
    this.waiting += 1;
    this.pump();
    return true;
  }

  start(handle: (entry: InboxEntry) => Promise<void>): void {
    this.handle = handle;
    this.started = (async () => {
      if (this.opts.exclusive)
        await this.prisma.inboxEntry.updateMany({
          where: { inbox: this.opts.name, lockedBy: { not: null } },
          data: { lockedBy: null, lockedUntil: null },
        });
    })().catch((err) =>
      this.opts.logger.warn({ err }, "inbox recovery failed; entries wait for their leases"),
    );
    void this.started.then(() => {
      this.every(this.opts.pollMs ?? 500, async () => this.pump());
      this.every(Math.max(50, Math.floor(this.opts.reclaimAfterMs / 2)), () => this.renew());
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.stopping = true;
    await this.started;
    for (const t of this.timers) clearInterval(t);
    while (this.runs.size) await Promise.allSettled([...this.runs]);
  }

  private pump(): void {
    if (!this.handle || this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch((err) => this.opts.logger.warn({ err, inbox: this.opts.name }, "inbox read failed; retrying"))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.stopping) {
      const free = this.pressure.concurrency() - this.held.size;
      if (free <= 0) return;
      const entries = await this.claim(free);
      for (const e of entries) this.run(e.id, { payload: e.payload, receivedAt: e.receivedAt.getTime() });
      if (entries.length < free) return;
    }
  }

  private async claim(count: number) {
    const now = new Date();
    const taken = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "InboxEntry" SET "lockedBy" = ${this.owner},
        "lockedUntil" = ${new Date(now.getTime() + this.opts.reclaimAfterMs)}
      WHERE id IN (SELECT id FROM "InboxEntry"
                   WHERE inbox = ${this.opts.name} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
                   ORDER BY "receivedAt", id LIMIT ${count} FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (!taken.length) return [];
    for (const t of taken) this.held.add(t.id);
    return this.prisma.inboxEntry.findMany({
      where: { id: { in: taken.map((t) => t.id) } },
      orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
    });
  }

  private run(id: string, entry: InboxEntry): void {
    const run = (async () => {
      try {
        await this.handle!(entry);
      } catch (err) {
        this.opts.logger.error(
          { err, id, inbox: this.opts.name },
          "inbox entry could not be handled; dropped",
        );
      }
      await this.prisma.inboxEntry.deleteMany({ where: { id, lockedBy: this.owner } }).catch((err) => {
        // Left in the table: it is handled again after its lease, and the platform's per-event
        // claims keep it from being answered twice.
        this.opts.logger.warn({ err, id }, "inbox entry handled but not removed");
      });
    })().finally(() => {
      this.held.delete(id);
      this.runs.delete(run);
      this.waiting = Math.max(0, this.waiting - 1);
      this.pump();
    });
    this.runs.add(run);
  }

  /** Keeps the leases of entries still being handled (a slow handler is not taken over). */
  private async renew(): Promise<void> {
    if (!this.held.size) return;
    await this.prisma.inboxEntry.updateMany({
      where: { id: { in: [...this.held] }, lockedBy: this.owner },
      data: { lockedUntil: new Date(Date.now() + this.opts.reclaimAfterMs) },
    });
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    const t = setInterval(
      () =>
        void fn().catch((err) => this.opts.logger.warn({ err, inbox: this.opts.name }, "inbox timer failed")),
      ms,
    );
    t.unref();
    this.timers.push(t);
  }

  private get prisma() {
    return this.opts.db.prisma;
  }
}
