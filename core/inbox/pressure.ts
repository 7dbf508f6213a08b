import type { InboxOptions } from "./inbox.ts";

/**
 * How long this process's event loop was late, at worst, over the last whole second. Handling
 * inbox entries shares the loop with acknowledging deliveries; a late loop is what makes an
 * acknowledgement late, so it is what a flood's handling is throttled by.
 */
export type LoopLag = () => number;

/** Worst lateness of a timer due every PROBE_MS, per second; one probe for the whole process. */
const PROBE_MS = 20;
let probe: { second: number; worst: number; previous: number } | null = null;

export const processLoopLag: LoopLag = () => {
  if (!probe) {
    const p = { second: 0, worst: 0, previous: 0 };
    probe = p;
    let due = performance.now() + PROBE_MS;
    setInterval(() => {
      const now = performance.now();
      const second = Math.floor(now / 1000);
      if (second !== p.second) {
        p.previous = second === p.second + 1 ? p.worst : 0;
        p.worst = 0;
        p.second = second;
      }
      p.worst = Math.max(p.worst, now - due);
      due = now + PROBE_MS;
    }, PROBE_MS).unref();
  }
  return probe.previous;
};

/**
 * Entries put per second (this one and the last), and the concurrency that allows. While calm,
 * `concurrency`. During a flood (more than `busyPerSecond` puts a second) acknowledging comes
 * first: handling starts at one entry at a time and, each second, doubles while the event loop
 * kept within `floodLagMs` and halves when it did not — so the backlog drains as fast as the
 * acknowledgements allow, rather than at one entry's round trips.
 */
export class Pressure {
  private second = 0;
  private count = 0;
  private previous = 0;
  private floodPermits = 1;

  constructor(
    private readonly opts: Pick<InboxOptions, "concurrency" | "busyPerSecond" | "floodLagMs">,
    private readonly lag: LoopLag = processLoopLag,
  ) {}

  hit(): void {
    this.roll();
    this.count += 1;
  }

  concurrency(): number {
    this.roll();
    return this.flooded() ? this.floodPermits : this.opts.concurrency;
  }

  private flooded(): boolean {
    return Math.max(this.count, this.previous) > this.opts.busyPerSecond;
  }

  private roll(): void {
    const now = Math.floor(Date.now() / 1000);
    if (now === this.second) return;
    const next = now === this.second + 1; // else at least a whole second went by without a put
    const flooded = next && this.flooded();
    this.previous = next ? this.count : 0;
    this.count = 0;
    this.second = now;
    if (!flooded) this.floodPermits = 1;
    else if (this.lag() > (this.opts.floodLagMs ?? 20))
      this.floodPermits = Math.max(1, this.floodPermits >> 1);
    else this.floodPermits = Math.min(this.opts.concurrency, this.floodPermits * 2);
  }
}
