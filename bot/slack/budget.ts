/**
 * Slack's rate limits, kept per workspace and per method instead of per client: Slack counts
 * "per API method per workspace per app" (https://docs.slack.dev/apis/web-api/rate-limits), so a
 * method that runs out in one workspace says nothing about another workspace or another method.
 *
 * Two things are kept here, both per process:
 *   - a budget: each tiered method in each workspace gets its tier's calls per minute as a token
 *     bucket (a minute's worth may be spent at once, as Slack tolerates bursts);
 *   - holds: after Slack answers 429 with Retry-After, that method in that conversation waits
 *     that long. Only that conversation: Slack's per-channel limits (posting) then never hold
 *     back another channel, and a workspace-wide limit shows up as 429s in each channel anyway.
 */

/** Slack's tiers; "special" methods have their own rules (chat.postMessage: ~1/s per channel, see ChannelPacer). */
export type Tier = 1 | 2 | 3 | 4 | "special";

/** Calls per minute of each numbered tier (Slack's published floors: "1+", "20+", "50+", "100+"). */
export const TIER_PER_MINUTE: Record<Exclude<Tier, "special">, number> = { 1: 1, 2: 20, 3: 50, 4: 100 };

/**
 * The tier of each method the bot calls often, as its reference page gives it (docs.slack.dev
 * reference/methods/<method>, "Rate Limits"). A method missing here has no local budget; its
 * 429s are still held per conversation.
 */
export const METHOD_TIERS: Record<string, Tier> = {
  "chat.postMessage": "special",
  "chat.postEphemeral": 4,
  "chat.update": 3,
  "chat.startStream": 2,
  "chat.appendStream": 4,
  "chat.stopStream": 2,
  "assistant.threads.setStatus": "special",
};

/** Where a call counts: the workspace, the method, and the conversation it is about (if any). */
export interface CallSite {
  teamId: string;
  method: string;
  channel?: string;
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_KEYS = 10_000;

export class RateBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly holds = new Map<string, number>();

  constructor(
    private readonly perMinute: Record<Exclude<Tier, "special">, number> = TIER_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long Slack's last Retry-After still holds this method in this conversation (0: not held). */
  heldFor(site: CallSite): number {
    const key = keyOf(site, true);
    const until = this.holds.get(key) ?? 0;
    if (until > this.now()) return until - this.now();
    if (until) this.holds.delete(key);
    return 0;
  }

  /** 0 when the call may go now (its token is spent); otherwise how long until it may. */
  reserve(site: CallSite): number {
    const held = this.heldFor(site);
    if (held) return held;
    const now = this.now();
    const tier = METHOD_TIERS[site.method];
    if (tier === undefined || tier === "special") return 0;
    const limit = this.perMinute[tier];
    const key = keyOf(site, false);
    const bucket = this.refilled(this.buckets.get(key), limit, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      if (this.buckets.size > MAX_KEYS) this.forget(now);
      return 0;
    }
    this.buckets.set(key, bucket);
    return Math.ceil(((1 - bucket.tokens) * 60_000) / limit);
  }

  /** Slack said 429: this method in this conversation waits `retryAfterMs`. */
  hold(site: CallSite, retryAfterMs: number): void {
    const key = keyOf(site, true);
    this.holds.set(key, Math.max(this.holds.get(key) ?? 0, this.now() + retryAfterMs));
    if (this.holds.size > MAX_KEYS) this.forget(this.now());
  }

  private refilled(bucket: Bucket | undefined, limit: number, now: number): Bucket {
    if (!bucket) return { tokens: limit, at: now };
    return { tokens: Math.min(limit, bucket.tokens + ((now - bucket.at) * limit) / 60_000), at: now };
  }

  /** Drops holds that ended and buckets that refilled: neither changes any answer. */
  private forget(now: number): void {
    for (const [key, until] of this.holds) if (until <= now) this.holds.delete(key);
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= 60_000) this.buckets.delete(key);
  }
}

function keyOf(site: CallSite, withChannel: boolean): string {
  return withChannel && site.channel
    ? `${site.teamId}\u0000${site.method}\u0000${site.channel}`
    : `${site.teamId}\u0000${site.method}`;
}
