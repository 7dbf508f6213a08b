import { setTimeout as delay } from "node:timers/promises";

/**
 * Slack allows about one message per second per channel. Calls into one channel run one at a
 * time, each starting at least `intervalMs` after the previous one finished, so two drafts in
 * one channel take turns (their replies never interleave mid-post) instead of bursting into
 * 429s. Measured from completion, the gap holds however slow the network is. Per process:
 * several workers posting into one channel still meet Slack's 429, which the Web API client's
 * bounded retries absorb.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastDone = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  async run<T>(channel: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(channel, tail);
    await previous;
    try {
      const wait = (this.lastDone.get(channel) ?? 0) + this.intervalMs - Date.now();
      if (wait > 0) await delay(wait);
      return await work();
    } finally {
      this.lastDone.set(channel, Date.now());
      if (this.lastDone.size > 10_000) this.forget();
      if (this.tails.get(channel) === tail) this.tails.delete(channel);
      release();
    }
  }

  /** A call made under another name for this channel (a user id Slack turned into their DM's id) counts here too. */
  note(channel: string): void {
    this.lastDone.set(channel, Math.max(this.lastDone.get(channel) ?? 0, Date.now()));
  }

  private forget(): void {
    const old = Date.now() - this.intervalMs;
    for (const [channel, at] of this.lastDone)
      if (at < old && !this.tails.has(channel)) this.lastDone.delete(channel);
  }
}
