import { randomBytes } from "node:crypto";
import type { FakeMessage, FakeSlack, FakeSlackOptions, Knobs, SlackCall, SlackUser } from "./types.ts";

/**
 * The workspace the fake keeps: who the app is, the knobs, every recorded call, and the
 * conversation state (messages by channel, ephemerals, views, files, users, triggers). Every
 * surface of the fake (Web API methods, Socket Mode, calling the bot) reads and writes this one.
 */
export class SlackState {
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly botUserId = "U0BOTUSER";
  readonly botId = "B0FAKEBOT";
  readonly appId = "A0FAKEAPP";
  /** `http://127.0.0.1:<port>`, known once the server listens. */
  base = "";
  readonly knobs: Knobs = {
    channelIntervalMs: 0,
    rateLimit: null,
    rateLimits: [],
    streaming: "available",
    expireStreamsAfterAppends: null,
    streamLifetimeMs: null,
    fail: null,
    notInChannel: [],
    invisible: [],
    latencyMs: {},
  };
  readonly calls: SlackCall[] = [];
  /** Messages by channel, in the order they were posted. */
  readonly store = new Map<string, FakeMessage[]>();
  readonly ephemerals: FakeSlack["ephemerals"] = [];
  /** Every assistant.threads.setStatus, in order ("" clears). */
  readonly statuses: FakeSlack["statuses"] = [];
  readonly views: FakeSlack["views"] = [];
  readonly files: FakeSlack["files"] = [];
  readonly users = new Map<string, SlackUser>();
  /** Trigger id → when it was issued (they expire after 3 s). */
  readonly triggers = new Map<string, number>();
  /** Method → a promise its requests wait for (FakeSlack.hold). */
  readonly holds = new Map<string, Promise<void>>();
  /** Channel → when the last new message went in (for the per-channel rate limit). */
  readonly lastPost = new Map<string, number>();
  private seq = 0;
  private tsCounter = 0;

  constructor(options: FakeSlackOptions) {
    this.botToken = options.botToken ?? "xoxb-000000000000-fake-bot-token";
    this.appToken = options.appToken ?? "xapp-1-A0FAKEAPP-000-fake";
    this.signingSecret = options.signingSecret ?? "8f742231b10e8888abcd99000000a5a5";
    this.teamId = options.teamId ?? "T0FAKETEAM";
  }

  nextSeq(): number {
    return ++this.seq;
  }

  newTs(): string {
    return `${Math.floor(Date.now() / 1000)}.${String(++this.tsCounter).padStart(6, "0")}`;
  }

  newId(prefix: string): string {
    return `${prefix}${randomBytes(5).toString("hex").toUpperCase()}`;
  }

  issueTrigger(): string {
    const id = `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(8).toString("hex")}`;
    this.triggers.set(id, Date.now());
    return id;
  }

  /** A user id names their DM channel ("U123" → "D123"), as the Web API accepts. */
  channelOf(id: string): string {
    return /^[UW]/.test(id) ? `D${id.slice(1)}` : id;
  }

  list(channel: string): FakeMessage[] {
    let l = this.store.get(channel);
    if (!l) {
      l = [];
      this.store.set(channel, l);
    }
    return l;
  }

  find(channel: string, ts: string): FakeMessage | undefined {
    return this.store.get(channel)?.find((m) => m.ts === ts);
  }

  userOf(id: string): SlackUser {
    return (
      this.users.get(id) ?? {
        id,
        name: id.toLowerCase(),
        realName: `Person ${id}`,
        displayName: `person-${id.toLowerCase()}`,
        teamId: this.teamId,
        locale: "en-US",
      }
    );
  }
}

export function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
