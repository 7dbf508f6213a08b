/**
 * At most `permits` pieces of work at once; the rest wait their turn, first come first served.
 * A finished piece hands its permit straight to the next in line, so the limit is exact.
 *
 * Used wherever work must not pile onto a scarce resource: acknowledged chat requests before
 * the database pool (Slack intake, LINE webhook batches), LLM streams before the provider.
 * `permits` may be a function (LINE handles one batch at a time under a burst); `maxWaiting`
 * bounds the line, so an ingress can answer 503 instead of queueing without end.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: { permits: number | (() => number); maxWaiting?: number }) {}

  /** Work running now. */
  get inUse(): number {
    return this.active;
  }

  /** Running and waiting. */
  get size(): number {
    return this.active + this.waiting.length;
  }

  /** The line is as long as it may get: `tryRun` refuses, an ingress answers 503. */
  get full(): boolean {
    return this.waiting.length >= (this.opts.maxWaiting ?? Number.POSITIVE_INFINITY);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /**
   * Starts `work` when a permit is free, without waiting for it; false (and nothing started)
   * when the line is full. `work` must handle its own errors: nobody is there to see them.
   */
  tryRun(work: () => Promise<void>): boolean {
    if (this.full) return false;
    void this.run(work).catch(() => undefined);
    return true;
  }

  /** Resolves once nothing is running or waiting (a graceful stop finishes what was taken). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private permits(): number {
    return typeof this.opts.permits === "function" ? this.opts.permits() : this.opts.permits;
  }

  private acquire(): Promise<void> {
    if (this.active < this.permits() && this.waiting.length === 0) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    this.active -= 1;
    // Synchronous: no newcomer can take the permit between this release and the hand-over.
    while (this.waiting.length && this.active < this.permits()) {
      this.active += 1;
      this.waiting.shift()!();
    }
    if (this.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
