import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Database, Prisma } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { parseArticleJob } from "./job-data.ts";
import {
  type ArticleJob,
  BACKOFF_MS,
  type ExhaustedHandler,
  JOB_ATTEMPTS,
  type JobHandler,
  type JobQueue,
  type ProcessOptions,
} from "./queue.ts";

export interface DatabaseQueueOptions {
  db: Database;
  logger: Logger;
  /**
   * This process is the only one that can ever work this queue (PGlite: the directory lock
   * guarantees it), so a job found active at start-up was in flight when the last process
   * died: it is taken back at once instead of after its lock expires.
   */
  exclusive: boolean;
  /** How long a job's lock lives without renewal: a dead worker's job is taken over after it. */
  lockDurationMs?: number;
  /** How often idle workers look for work another process queued (their own enqueues wake them). */
  pollMs?: number;
}

/** Like BullMQ's maxStalledCount: a job whose workers die this often more is failed, not retried. */
const MAX_STALLS = 2;
const KEEP_COMPLETED_MS = 24 * 3_600_000;
const KEEP_FAILED_MS = 7 * 24 * 3_600_000;

/**
 * The article queue in the database, for when there is no Redis (the embedded profile): one
 * QueuedJob row per generation holding the whole ArticleJob, so what was queued or in flight
 * survives a crash. Same contract as the BullMQ queue: each generation once, retries with
 * exponential backoff, a job whose worker died resumes as a new attempt (the pipeline skips
 * what was already posted), and one stalled too often is reported exhausted.
 */
export class DatabaseJobQueue implements JobQueue {
  readonly kind = "database" as const;
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private readonly lockMs: number;
  private readonly running = new Map<string, Promise<void>>();
  private handler: JobHandler | null = null;
  private onExhausted: ExhaustedHandler = async () => undefined;
  private concurrency = 1;
  private closed = false;
  /** False until start-up recovery is done: nothing new runs before what was in flight is back. */
  private recovered = false;
  private pumping = false;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private wake: NodeJS.Timeout | null = null;

  constructor(private readonly opts: DatabaseQueueOptions) {
    this.lockMs = opts.lockDurationMs ?? 30_000;
  }

  async enqueue(job: ArticleJob): Promise<void> {
    if (this.closed) throw new Error("queue is closed");
    // Stored as plain JSON: the row alone is enough to run the job again in a new process.
    const data: Prisma.InputJsonValue = JSON.parse(JSON.stringify(job));
    await this.prisma.queuedJob.createMany({
      data: [{ id: job.generationId, data, runAt: new Date() }],
      skipDuplicates: true, // a second enqueue of the same generation is ignored, as in BullMQ
    });
    this.pump();
  }

  process(handler: JobHandler, opts: ProcessOptions): void {
    this.handler = handler;
    this.onExhausted = opts.onExhausted;
    this.concurrency = opts.concurrency;
    void this.recover(opts)
      .catch((err) => this.opts.logger.error({ err }, "queue recovery failed; jobs wait for their locks"))
      .then(() => {
        this.recovered = true;
        if (this.closed) return;
        const every = (ms: number, fn: () => Promise<unknown>) => {
          const t = setInterval(() => void fn().catch(this.warn), ms);
          t.unref();
          this.timers.push(t);
        };
        every(Math.max(50, Math.floor(this.lockMs / 2)), () => this.renewLocks());
        every(Math.max(50, Math.floor(this.lockMs / 2)), () => this.takeBackStalled());
        every(this.opts.pollMs ?? 1_000, async () => this.pump());
        this.pump();
      });
  }

  async depth(): Promise<number> {
    return this.prisma.queuedJob.count({ where: { state: "waiting" } });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.wake) clearTimeout(this.wake);
    await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Before any new work: jobs a dead process held go back to waiting (counted as a stall), and
   * `onRecover` sees every unfinished job (the pipeline re-counts their quota reservations).
   */
  private async recover(opts: ProcessOptions): Promise<void> {
    const now = new Date();
    await this.prisma.queuedJob.deleteMany({
      where: {
        OR: [
          { state: "completed", finishedAt: { lt: new Date(now.getTime() - KEEP_COMPLETED_MS) } },
          { state: "failed", finishedAt: { lt: new Date(now.getTime() - KEEP_FAILED_MS) } },
        ],
      },
    });
    if (this.opts.exclusive) await this.takeBackStalled(true);
    if (!opts.onRecover) return;
    const unfinished = await this.prisma.queuedJob.findMany({
      where: { state: { in: ["waiting", "active"] } },
      select: { data: true },
    });
    await opts.onRecover(unfinished.flatMap((j) => parseArticleJob(j.data) ?? []));
  }

  private pump(): void {
    if (!this.handler || !this.recovered || this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.fill()
      .catch(this.warn)
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.closed && this.handler && this.running.size < this.concurrency) {
      const claimed = await this.claim();
      if (!claimed) return this.wakeForNextRetry();
      const run = this.runOne(this.handler, claimed).finally(() => {
        this.running.delete(claimed.id);
        this.pump();
      });
      this.running.set(claimed.id, run);
    }
  }

  private async claim(): Promise<Claimed | null> {
    const now = new Date();
    // The claim returns the job itself: one round trip from "waiting" to running it.
    const rows = await this.prisma.$queryRaw<
      { id: string; data: Prisma.JsonValue; attemptsStarted: number; attemptsMade: number }[]
    >`
      UPDATE "QueuedJob" SET state = 'active', "lockedBy" = ${this.owner},
        "lockedUntil" = ${new Date(now.getTime() + this.lockMs)}, "attemptsStarted" = "attemptsStarted" + 1
      WHERE id = (SELECT id FROM "QueuedJob" WHERE state = 'waiting' AND "runAt" <= ${now}
                  ORDER BY "runAt", "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, data, "attemptsStarted", "attemptsMade"`;
    const row = rows[0];
    if (!row) return null;
    const id = row.id;
    const job = parseArticleJob(row.data);
    if (!job) {
      await this.settle(id, { state: "failed", lastError: "unreadable job data" });
      this.opts.logger.error({ generationId: id }, "queued job data unreadable; failed");
      return this.claim();
    }
    return { id, job, attemptsStarted: row.attemptsStarted, attemptsMade: row.attemptsMade };
  }

  private async runOne(handler: JobHandler, c: Claimed): Promise<void> {
    try {
      await handler(c.job, { attempt: c.attemptsStarted, finalAttempt: c.attemptsMade + 1 >= JOB_ATTEMPTS });
      await this.settle(c.id, { state: "completed" });
    } catch (error) {
      const made = c.attemptsMade + 1;
      const message = (error as Error).message;
      if (made >= JOB_ATTEMPTS) {
        await this.settle(c.id, { state: "failed", attemptsMade: made, lastError: message }).catch(this.warn);
        await this.onExhausted(c.job, error as Error).catch(this.warn);
        return;
      }
      await this.settle(c.id, {
        state: "waiting",
        attemptsMade: made,
        lastError: message,
        runAt: new Date(Date.now() + BACKOFF_MS * 2 ** (made - 1)),
      }).catch(this.warn);
    }
  }

  /** Ends this process's hold on a job; a no-op if another process already took it back. */
  private async settle(
    id: string,
    change: { state: string; attemptsMade?: number; lastError?: string; runAt?: Date },
  ): Promise<void> {
    const finished = change.state === "completed" || change.state === "failed";
    await this.prisma.queuedJob.updateMany({
      where: { id, lockedBy: this.owner, state: "active" },
      data: { ...change, lockedBy: null, lockedUntil: null, finishedAt: finished ? new Date() : null },
    });
  }

  private async renewLocks(): Promise<void> {
    if (!this.running.size) return;
    await this.prisma.queuedJob.updateMany({
      where: { id: { in: [...this.running.keys()] }, lockedBy: this.owner, state: "active" },
      data: { lockedUntil: new Date(Date.now() + this.lockMs) },
    });
  }

  /** Active jobs whose worker stopped renewing (or, at an exclusive start, every active job). */
  private async takeBackStalled(all = false): Promise<void> {
    const where: Prisma.QueuedJobWhereInput = all
      ? { state: "active" }
      : { state: "active", lockedUntil: { lt: new Date() } };
    const stalled = await this.prisma.queuedJob.findMany({ where, select: { id: true, stalls: true } });
    for (const s of stalled) {
      if (this.running.has(s.id)) continue;
      const giveUp = s.stalls >= MAX_STALLS;
      const taken = await this.prisma.queuedJob.updateMany({
        where: { id: s.id, state: "active", stalls: s.stalls },
        data: giveUp
          ? { state: "failed", lockedBy: null, lockedUntil: null, finishedAt: new Date(), lastError: STALLED }
          : {
              state: "waiting",
              lockedBy: null,
              lockedUntil: null,
              stalls: { increment: 1 },
              runAt: new Date(),
            },
      });
      if (!taken.count) continue; // another process took it first
      this.opts.logger.warn({ generationId: s.id, giveUp }, "took back a job whose worker stopped");
      if (giveUp) {
        const row = await this.prisma.queuedJob.findUnique({ where: { id: s.id }, select: { data: true } });
        const job = row && parseArticleJob(row.data);
        if (job) await this.onExhausted(job, new Error(STALLED)).catch(this.warn);
      }
    }
    if (stalled.length) this.pump();
  }

  /** Sleeps until the earliest retry is due (the poll timer also catches other processes' work). */
  private async wakeForNextRetry(): Promise<void> {
    const next = await this.prisma.queuedJob.findFirst({
      where: { state: "waiting" },
      orderBy: { runAt: "asc" },
      select: { runAt: true },
    });
    if (!next || this.closed) return;
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(() => this.pump(), Math.max(10, next.runAt.getTime() - Date.now()));
    this.wake.unref();
  }

  private get prisma() {
    return this.opts.db.prisma;
  }

  private readonly warn = (err: unknown) => this.opts.logger.warn({ err }, "database queue error");
}

const STALLED = "job stalled more than allowable limit";

interface Claimed {
  id: string;
  job: ArticleJob;
  attemptsStarted: number;
  attemptsMade: number;
}
