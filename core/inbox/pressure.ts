import type { InboxOptions } from "./inbox.ts";

/** Entries put per second (this one and the last), and the concurrency that allows. */
export class Pressure {
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
