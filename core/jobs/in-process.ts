import {
  type ArticleJob,
  BACKOFF_MS,
  type ExhaustedHandler,
  JOB_ATTEMPTS,
  type JobHandler,
  type JobQueue,
  type ProcessOptions,
} from "./queue.ts";

interface Entry {
  job: ArticleJob;
  attempt: number;
}

/** The embedded profile's queue: same contract, in memory (the process is the only worker). */
export class InProcessQueue implements JobQueue {
  readonly kind = "in-process" as const;
  private readonly waiting: Entry[] = [];
  // Like BullMQ's kept completed jobs: an id seen recently is not run again.
  private readonly known = new Set<string>();
  private static readonly REMEMBERED = 10_000;
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private handler: JobHandler | null = null;
  private onExhausted: ExhaustedHandler = async () => undefined;
  private concurrency = 1;
  private closed = false;

  async enqueue(job: ArticleJob): Promise<void> {
    if (this.closed) throw new Error("queue is closed");
    if (this.known.has(job.generationId)) return;
    this.known.add(job.generationId);
    if (this.known.size > InProcessQueue.REMEMBERED) this.known.delete(this.known.values().next().value!);
    this.waiting.push({ job, attempt: 1 });
    this.pump();
  }

  process(handler: JobHandler, opts: ProcessOptions): void {
    this.handler = handler;
    this.onExhausted = opts.onExhausted;
    this.concurrency = opts.concurrency;
    this.pump();
  }

  async depth(): Promise<number> {
    return this.waiting.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    while (this.handler && !this.closed && this.running.size < this.concurrency && this.waiting.length) {
      const entry = this.waiting.shift()!;
      const run = this.runOne(this.handler, entry).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async runOne(handler: JobHandler, entry: Entry): Promise<void> {
    try {
      await handler(entry.job, { attempt: entry.attempt, finalAttempt: entry.attempt >= JOB_ATTEMPTS });
    } catch (error) {
      if (entry.attempt >= JOB_ATTEMPTS) {
        await this.onExhausted(entry.job, error as Error).catch(() => undefined);
        return;
      }
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.waiting.push({ job: entry.job, attempt: entry.attempt + 1 });
          this.pump();
        },
        BACKOFF_MS * 2 ** (entry.attempt - 1),
      );
      this.timers.add(timer);
    }
  }
}
