import type { Inbox, InboxEntry, InboxOptions } from "./inbox.ts";
import { Pressure } from "./pressure.ts";

/**
 * The inbox in memory: same contract, lost with the process. Only for tests that need an
 * inbox without any store; the product always keeps acknowledged entries (Redis or database).
 */
export class MemoryInbox implements Inbox {
  private readonly waiting: InboxEntry[] = [];
  private readonly runs = new Set<Promise<void>>();
  private readonly pressure: Pressure;
  private handle: ((entry: InboxEntry) => Promise<void>) | null = null;
  private stopping = false;

  constructor(private readonly opts: InboxOptions) {
    this.pressure = new Pressure(opts);
  }

  full(): boolean {
    return this.waiting.length >= this.opts.maxWaiting;
  }

  async put(entry: InboxEntry): Promise<boolean> {
    this.pressure.hit();
    if (this.waiting.length >= this.opts.maxWaiting) return false;
    this.waiting.push(entry);
    this.pump();
    return true;
  }

  start(handle: (entry: InboxEntry) => Promise<void>): void {
    this.handle = handle;
    this.pump();
  }

  /** Nothing survives the process here, so closing handles what was already put. */
  async close(): Promise<void> {
    while (this.handle && (this.runs.size || this.waiting.length)) await Promise.allSettled([...this.runs]);
    this.stopping = true;
  }

  private pump(): void {
    while (
      this.handle &&
      !this.stopping &&
      this.runs.size < this.pressure.concurrency() &&
      this.waiting.length
    ) {
      const entry = this.waiting.shift()!;
      const run = this.handle(entry)
        .catch(() => undefined)
        .finally(() => {
          this.runs.delete(run);
          this.pump();
        });
      this.runs.add(run);
    }
  }
}
