import { setTimeout as delay } from "node:timers/promises";

/**
 * Slack allows about one message per second per channel. Each caller reserves the next free
 * slot for its channel, so two drafts in one channel take turns instead of bursting into 429s.
 * Per process: several workers posting into one channel still meet Slack's 429, which the
 * Web API client's bounded retries absorb.
 */
export class ChannelPacer {
  private readonly next = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  async wait(channel: string): Promise<void> {
    if (this.intervalMs <= 0) return;
    const now = Date.now();
    const at = Math.max(now, this.next.get(channel) ?? 0);
    this.next.set(channel, at + this.intervalMs);
    if (this.next.size > 10_000) this.forget(now);
    if (at > now) await delay(at - now);
  }

  private forget(now: number): void {
    for (const [channel, at] of this.next) if (at < now) this.next.delete(channel);
  }
}
