import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../logger.ts";
import { type ArticleJob, BACKOFF_MS, JOB_ATTEMPTS, type JobQueue, type ProcessOptions } from "./queue.ts";

const QUEUE_NAME = "articles";

export interface BullQueueOptions {
  redisUrl: string;
  prefix?: string;
  logger: Logger;
  /** How long a job's lock lives without renewal: a dead worker's job is taken over after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * The article queue on BullMQ: jobs survive restarts; a worker that dies mid-job loses its
 * lock and another worker resumes the job (the pipeline skips what was already posted).
 */
export class BullJobQueue implements JobQueue {
  readonly kind = "bullmq" as const;
  private readonly queue: Queue<ArticleJob>;
  private worker: Worker<ArticleJob> | null = null;
  private readonly connections: Redis[] = [];
  private pending: Array<{ job: ArticleJob; resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly opts: BullQueueOptions) {
    this.queue = new Queue<ArticleJob>(QUEUE_NAME, {
      connection: this.connection(),
      prefix: opts.prefix ?? "ab:bull",
    });
  }

  /**
   * Jobs enqueued in the same turn of the event loop (a burst of accepts) go to Redis in one
   * round trip (addBulk); each caller still learns whether its own job was added.
   */
  enqueue(job: ArticleJob): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ job, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    try {
      await this.queue.addBulk(
        batch.map(({ job }) => ({
          name: "article",
          data: job,
          opts: {
            jobId: job.generationId, // a second enqueue of the same generation is ignored by BullMQ
            attempts: JOB_ATTEMPTS,
            backoff: { type: "exponential", delay: BACKOFF_MS },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          },
        })),
      );
      for (const b of batch) b.resolve();
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }

  process(
    handler: (job: ArticleJob, ctx: { attempt: number; finalAttempt: boolean }) => Promise<void>,
    opts: ProcessOptions,
  ): void {
    const worker = new Worker<ArticleJob>(
      QUEUE_NAME,
      async (job: Job<ArticleJob>) => {
        const attempt = job.attemptsStarted;
        await handler(job.data, { attempt, finalAttempt: job.attemptsMade + 1 >= JOB_ATTEMPTS });
      },
      {
        connection: this.connection(),
        prefix: this.opts.prefix ?? "ab:bull",
        concurrency: opts.concurrency,
        lockDuration: this.opts.lockDurationMs ?? 30_000,
        stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
        maxStalledCount: 2,
      },
    );
    worker.on("failed", (job, error) => {
      if (!job) return;
      const exhausted = job.attemptsMade >= JOB_ATTEMPTS || /stalled/i.test(error.message);
      if (exhausted)
        void opts
          .onExhausted(job.data, error)
          .catch((err) => this.opts.logger.error({ err }, "exhausted-job handler failed"));
    });
    worker.on("error", (err) => this.opts.logger.warn({ err }, "queue worker error"));
    this.worker = worker;
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts("wait", "delayed", "prioritized");
    return (counts.wait ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    for (const c of this.connections) c.disconnect();
  }

  // BullMQ blocks on its connections, so it gets its own, with no per-command retry limit.
  private connection(): Redis {
    const redis = new Redis(this.opts.redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
    redis.on("error", () => undefined);
    this.connections.push(redis);
    return redis;
  }
}
