/**
 * The work behind acknowledged requests, a few at a time. Ack-first means Slack's deliveries
 * can outpace the database; unbounded, a spike would make thousands of requests wait for one
 * of the pool's connections and time out together. Here they wait their turn in memory, and
 * the ingress can see when the line is too long (then Events API deliveries get a 503 before
 * any work, and Slack delivers them again later).
 */
export class Backlog {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  get full(): boolean {
    return this.waiting.length >= this.maxWaiting;
  }

  get size(): number {
    return this.running + this.waiting.length;
  }

  /** Resolves once nothing is running or waiting (a graceful stop finishes what was acknowledged). */
  async idle(): Promise<void> {
    while (this.size > 0) await new Promise((r) => setTimeout(r, 20));
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next in line, so the limit is exact.
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
