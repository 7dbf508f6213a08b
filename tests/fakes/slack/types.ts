/** What tests see of the fake Slack: its options, knobs, records and the FakeSlack handle. */

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  teamId?: string;
  port?: number;
  /** The app's messaging experience: `agent_view` (default, what new apps get) or legacy `assistant_view`. */
  view?: "agent" | "assistant";
}

export interface SlackCall {
  seq: number;
  method: string;
  contentType: string;
  args: Record<string, any>;
  /** The token used (Bearer header or `token` field). */
  token: string | null;
  at: number;
  status: number;
  response: Record<string, any>;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: any[];
  /** Markdown of a streamed message, as appended so far. */
  markdown?: string;
  streaming?: boolean;
  /** When chat.startStream made it (streams end after knobs.streamLifetimeMs). */
  streamStartedAt?: number;
  appends: number;
  /** The method that created it: chat.postMessage, chat.startStream, or "user" for people. */
  via: string;
  user?: string;
  bot: boolean;
  updates: number;
}

export interface Knobs {
  /** Minimum gap between new messages in one channel (postMessage, startStream); faster gets 429. */
  channelIntervalMs: number;
  /** 429 the next `times` calls to `method` (any method when omitted). */
  rateLimit: { method?: string; times: number; retryAfterSec: number } | null;
  /**
   * Per-method 429s, as Slack counts them (per method, per workspace): each rule answers the
   * next `times` calls to `method` — only those about `channel` when given — with 429 and
   * Retry-After. Rules are independent: a limited method never limits another.
   */
  rateLimits: Array<{ method: string; channel?: string; times: number; retryAfterSec: number }>;
  /** "unknown_method": the workspace or SDK plan has no streaming. */
  streaming: "available" | "unknown_method";
  /** A stream leaves the streaming state after this many appends (Slack expires idle streams). */
  expireStreamsAfterAppends: number | null;
  /** A stream leaves the streaming state this long after it started (Slack: about 5 minutes). */
  streamLifetimeMs: number | null;
  /** Answer `method` with `{ok:false,error}` the next `times` calls (always when omitted). */
  fail: { method: string; error: string; times?: number } | null;
  /** Channels the app was never invited to. */
  notInChannel: string[];
  /**
   * Conversations the app cannot see at all (a DM between two people, a private channel it is
   * not in): posting, ephemeral messages and streams there answer `channel_not_found`.
   */
  invisible: string[];
  /** Delay before answering, per method. */
  latencyMs: Record<string, number>;
}

export interface Delivery {
  status: number;
  text: string;
  json: any;
  /** Sequence number when the bot's answer arrived (compare with calls' `seq`). */
  seq: number;
}

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  displayName: string;
  teamId: string;
  /** What users.info says with include_locale (Slack's default is "en-US"). */
  locale: string;
}

export interface FakeSlack {
  /** Web API base, ending in `/api/`: what SLACK_API_URL is set to. */
  url: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  teamId: string;
  botUserId: string;
  botId: string;
  appId: string;
  calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  set(knobs: Partial<Knobs>): void;
  /** Requests to `method` wait until the returned function is called. */
  hold(method: string): () => void;
  addUser(user: Partial<SlackUser> & { id: string }): void;
  messages(channel?: string): FakeMessage[];
  /** A thread as people see it: the parent first, then replies in order. */
  thread(channel: string, ts: string): FakeMessage[];
  ephemerals: Array<{ channel: string; user: string; text: string; blocks?: any[]; threadTs?: string }>;
  /** Every assistant.threads.setStatus call that was accepted ("" clears the status). */
  statuses: Array<{ channel: string; threadTs: string; status: string; loading: string[]; at: number }>;
  views: Array<{ id: string; triggerId: string; view: any }>;
  files: Array<{
    id: string;
    filename: string;
    title?: string;
    content: string;
    channel?: string;
    threadTs?: string;
    completed: boolean;
  }>;
  /** The Home tab each person was last published (views.publish), by user id. */
  homeViews: Map<string, { id: string; view: any }>;
  /** Suggested prompts set in a DM (calls Slack ignores are not here). */
  suggestedPrompts: Array<{
    channel: string;
    title?: string;
    prompts: Array<{ title: string; message: string }>;
    threadTs?: string;
  }>;
  threadTitles: Array<{ channel: string; threadTs: string; title: string }>;
  /** Ends every open stream, as Slack does after a few idle minutes. */
  expireStreams(): void;
  /** Sequence numbers shared by calls and deliveries, to assert ordering without clocks. */
  nextSeq(): number;

  /** A person's message in the workspace (what an event built by hand refers to by its ts). */
  personSays(m: { channel: string; user: string; text: string; threadTs?: string }): FakeMessage;

  // ---- Slack calling the bot (HTTP) ----
  sign(body: string, timestamp?: number, secret?: string): { timestamp: string; signature: string };
  deliver(botUrl: string, body: string, contentType: string, opts?: DeliverOptions): Promise<Delivery>;
  mention(
    botUrl: string,
    m: { channel: string; user: string; text: string; threadTs?: string; teamId?: string },
    opts?: EventOptions,
  ): Promise<{ eventId: string; ts: string; delivery: Delivery }>;
  directMessage(
    botUrl: string,
    m: { user: string; text: string; threadTs?: string; teamId?: string },
    opts?: EventOptions,
  ): Promise<{ eventId: string; ts: string; channel: string; delivery: Delivery }>;
  eventBody(event: Record<string, any>, opts?: { eventId?: string; teamId?: string }): Record<string, any>;
  /** The person opens the app's Home or Messages tab (app_home_opened). */
  openHome(
    botUrl: string,
    o: { user: string; tab: "home" | "messages"; teamId?: string },
    opts?: EventOptions,
  ): Promise<{ eventId: string; channel: string; delivery: Delivery }>;
  clickHomeButton(
    botUrl: string,
    user: string,
    actionId: string,
    opts?: DeliverOptions & { teamId?: string },
  ): Promise<{ triggerId: string; delivery: Delivery }>;
  /** A slash command's fields (what Slack posts form-encoded, or sends as a socket payload), with a fresh trigger. */
  commandFields(c: { user: string; channel: string; text?: string; command?: string; teamId?: string }): {
    triggerId: string;
    fields: Record<string, string>;
  };
  command(
    botUrl: string,
    c: { user: string; channel: string; text?: string; command?: string; teamId?: string },
    opts?: DeliverOptions,
  ): Promise<{ triggerId: string; delivery: Delivery }>;
  shortcut(
    botUrl: string,
    s: { user: string; callbackId: string; teamId?: string },
    opts?: DeliverOptions,
  ): Promise<{ triggerId: string; delivery: Delivery }>;
  /** Submits an opened view with values by block id (`{topic: "AI", length: "600", language: "th"}`). */
  submitView(
    botUrl: string,
    viewId: string,
    user: string,
    values: Record<string, string>,
    opts?: DeliverOptions & { teamId?: string },
  ): Promise<Delivery>;
  clickButton(
    botUrl: string,
    message: FakeMessage,
    actionId: string,
    user: string,
    /** `feedback`: which side of a feedback_buttons element is pressed (default positive). */
    opts?: DeliverOptions & { teamId?: string; feedback?: "positive" | "negative" },
  ): Promise<{ triggerId: string; delivery: Delivery }>;

  // ---- Slack calling the bot (Socket Mode) ----
  socket: {
    /** Resolves once a client connected and got its hello. */
    connected(): Promise<void>;
    connections(): number;
    /** Sends an envelope and resolves with the client's acknowledgement payload. */
    send(
      type: "events_api" | "slash_commands" | "interactive",
      payload: Record<string, any>,
      opts?: { retryAttempt?: number; retryReason?: string; envelopeId?: string },
    ): Promise<{ envelopeId: string; payload: any; seq: number }>;
    /** Closes every connection (the client reconnects on its own). */
    dropAll(): void;
  };
  close(): Promise<void>;
}

export interface DeliverOptions {
  timestamp?: number;
  secret?: string;
  /** Send exactly this signature header instead of computing it. */
  signature?: string;
  retryNum?: number;
  retryReason?: string;
}

export type EventOptions = DeliverOptions & { eventId?: string };
