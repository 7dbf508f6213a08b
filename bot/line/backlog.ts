/**
 * Acknowledged webhook deliveries waiting for their events to be handled. A few are handled
 * at once (each takes a few database round trips); past `maxWaiting` the webhook answers 503
 * so LINE redelivers later, instead of this process queueing without bound.
 */
export class Backlog<T> {
  private readonly waiting: T[] = [];
  private running = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly opts: { concurrency: () => number; maxWaiting: number; run: (item: T) => Promise<void> },
  ) {}

  offer(item: T): boolean {
    if (this.waiting.length >= this.opts.maxWaiting) return false;
    this.waiting.push(item);
    this.pump();
    return true;
  }

  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Resolves once everything offered so far has been handled. */
  drained(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.opts.concurrency() && this.waiting.length) {
      const item = this.waiting.shift()!;
      this.running += 1;
      // `run` never throws (handleDelivery logs); the catch is a last line of defence.
      void this.opts
        .run(item)
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.size === 0) for (const resolve of this.idle.splice(0)) resolve();
        });
    }
  }
}
