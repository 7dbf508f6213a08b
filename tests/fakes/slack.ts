import { createHash, createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A local Slack for tests and load runs, both directions:
 *   - the Web API the bot calls (`SLACK_API_URL` → `fake.url`): form-encoded, JSON or multipart
 *     bodies, Bearer or `token` auth, `{ok:false,error}` answers, 429 with Retry-After, block
 *     and length limits, the streaming methods, views.open with 3-second triggers, users.info,
 *     files.uploadV2's three steps, and apps.connections.open plus a Socket Mode WebSocket;
 *   - Slack calling the bot: events, slash commands and interactions signed exactly as Slack
 *     signs them (v0 HMAC-SHA256 over `v0:{timestamp}:{body}`), or sent over the socket.
 * Every Web API call is recorded for assertions, and the fake keeps the conversation state
 * (messages, threads, streams, files) so tests can read a thread as a person would see it.
 */

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  teamId?: string;
  port?: number;
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
  /** "unknown_method": the workspace or SDK plan has no streaming. */
  streaming: "available" | "unknown_method";
  /** A stream leaves the streaming state after this many appends (Slack expires idle streams). */
  expireStreamsAfterAppends: number | null;
  /** Answer `method` with `{ok:false,error}` the next `times` calls (always when omitted). */
  fail: { method: string; error: string; times?: number } | null;
  /** Channels the app was never invited to. */
  notInChannel: string[];
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
  /** Ends every open stream, as Slack does after a few idle minutes. */
  expireStreams(): void;
  /** Sequence numbers shared by calls and deliveries, to assert ordering without clocks. */
  nextSeq(): number;

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
    opts?: DeliverOptions & { teamId?: string },
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

const TRIGGER_TTL_MS = 3_000;
const SECTION_MAX = 3_000;
const STREAM_MAX = 12_000;

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? "xoxb-000000000000-fake-bot-token";
  const appToken = options.appToken ?? "xapp-1-A0FAKEAPP-000-fake";
  const signingSecret = options.signingSecret ?? "8f742231b10e8888abcd99000000a5a5";
  const teamId = options.teamId ?? "T0FAKETEAM";
  const botUserId = "U0BOTUSER";
  const botId = "B0FAKEBOT";
  const appId = "A0FAKEAPP";
  const knobs: Knobs = {
    channelIntervalMs: 0,
    rateLimit: null,
    streaming: "available",
    expireStreamsAfterAppends: null,
    fail: null,
    notInChannel: [],
    latencyMs: {},
  };
  const calls: SlackCall[] = [];
  const store = new Map<string, FakeMessage[]>();
  const ephemerals: FakeSlack["ephemerals"] = [];
  const views: FakeSlack["views"] = [];
  const files: FakeSlack["files"] = [];
  const users = new Map<string, SlackUser>();
  const triggers = new Map<string, number>();
  const holds = new Map<string, Promise<void>>();
  const lastPost = new Map<string, number>();
  let seq = 0;
  let tsCounter = 0;
  let base = "";

  const nextSeq = () => ++seq;
  const newTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, "0")}`;
  const newId = (prefix: string) => `${prefix}${randomBytes(5).toString("hex").toUpperCase()}`;
  const issueTrigger = () => {
    const id = `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(8).toString("hex")}`;
    triggers.set(id, Date.now());
    return id;
  };
  const channelOf = (id: string) => (/^[UW]/.test(id) ? `D${id.slice(1)}` : id);
  const list = (channel: string) => {
    let l = store.get(channel);
    if (!l) store.set(channel, (l = []));
    return l;
  };
  const find = (channel: string, ts: string) => store.get(channel)?.find((m) => m.ts === ts);
  const userOf = (id: string): SlackUser =>
    users.get(id) ?? {
      id,
      name: id.toLowerCase(),
      realName: `Person ${id}`,
      displayName: `person-${id.toLowerCase()}`,
      teamId,
    };

  // ---------------------------------------------------------------- Web API

  type Answer = { status?: number; body: Record<string, any>; headers?: Record<string, string> };
  type Handler = (args: Record<string, any>, token: string | null) => Answer | Promise<Answer>;
  const ok = (body: Record<string, any> = {}): Answer => ({ body: { ok: true, ...body } });
  const err = (error: string, extra: Record<string, any> = {}): Answer => ({
    body: { ok: false, error, ...extra },
  });

  function newMessage(channel: string, via: string, args: Record<string, any>): FakeMessage | Answer {
    if (knobs.notInChannel.includes(channel)) return err("not_in_channel");
    if (!/^[CGD][A-Z0-9]+$/.test(channel)) return err("channel_not_found");
    if (knobs.channelIntervalMs > 0) {
      const last = lastPost.get(channel) ?? 0;
      if (Date.now() - last < knobs.channelIntervalMs)
        return { status: 429, body: { ok: false, error: "ratelimited" }, headers: { "retry-after": "1" } };
    }
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    if (threadTs && !find(channel, threadTs)) return err("thread_not_found");
    lastPost.set(channel, Date.now());
    const m: FakeMessage = {
      channel,
      ts: newTs(),
      threadTs,
      text: String(args.text ?? ""),
      blocks: args.blocks,
      appends: 0,
      via,
      bot: true,
      updates: 0,
    };
    list(channel).push(m);
    return m;
  }

  const handlers: Record<string, Handler> = {
    "auth.test": () =>
      ok({
        url: "https://fake.slack.com/",
        team: "Fake Team",
        user: "article-bot",
        team_id: teamId,
        user_id: botUserId,
        bot_id: botId,
        is_enterprise_install: false,
      }),
    "users.info": (a) => {
      if (!a.user) return err("user_not_found");
      const u = userOf(String(a.user));
      return ok({
        user: {
          id: u.id,
          team_id: u.teamId,
          name: u.name,
          real_name: u.realName,
          deleted: false,
          is_bot: false,
          profile: { real_name: u.realName, display_name: u.displayName },
        },
      });
    },
    "chat.postMessage": (a) => {
      const problem = messageProblem(a);
      if (problem) return err(problem);
      const made = newMessage(channelOf(String(a.channel ?? "")), "chat.postMessage", a);
      if (!("ts" in made)) return made;
      return ok({
        channel: made.channel,
        ts: made.ts,
        message: {
          type: "message",
          text: made.text,
          blocks: made.blocks,
          bot_id: botId,
          ts: made.ts,
          thread_ts: made.threadTs,
        },
      });
    },
    "chat.update": (a) => {
      const m = find(channelOf(String(a.channel ?? "")), String(a.ts ?? ""));
      if (!m) return err("message_not_found");
      const problem = messageProblem(a);
      if (problem) return err(problem);
      m.text = String(a.text ?? m.text);
      if (a.blocks) m.blocks = a.blocks;
      m.updates += 1;
      return ok({ channel: m.channel, ts: m.ts, text: m.text });
    },
    "chat.postEphemeral": (a) => {
      const channel = channelOf(String(a.channel ?? ""));
      if (knobs.notInChannel.includes(channel)) return err("not_in_channel");
      if (!a.user) return err("user_not_found");
      const problem = messageProblem(a);
      if (problem) return err(problem);
      ephemerals.push({
        channel,
        user: String(a.user),
        text: String(a.text ?? ""),
        blocks: a.blocks,
        threadTs: a.thread_ts,
      });
      return ok({ message_ts: newTs() });
    },
    "chat.startStream": (a) => {
      if (knobs.streaming === "unknown_method")
        return err("unknown_method", { req_method: "chat.startStream" });
      const channel = channelOf(String(a.channel ?? ""));
      if (!a.thread_ts)
        return err("invalid_arguments", {
          response_metadata: { messages: ["[ERROR] missing required field: thread_ts"] },
        });
      if (!a.recipient_team_id) return err("missing_recipient_team_id");
      if (!a.recipient_user_id) return err("missing_recipient_user_id");
      const text = String(a.markdown_text ?? "");
      if (text.length > STREAM_MAX) return err("msg_too_long");
      const made = newMessage(channel, "chat.startStream", { thread_ts: a.thread_ts });
      if (!("ts" in made)) return made;
      made.markdown = text;
      made.streaming = true;
      return ok({ channel: made.channel, ts: made.ts });
    },
    "chat.appendStream": (a) => {
      if (knobs.streaming === "unknown_method")
        return err("unknown_method", { req_method: "chat.appendStream" });
      const m = find(channelOf(String(a.channel ?? "")), String(a.ts ?? ""));
      if (!m) return err("message_not_found");
      if (!m.streaming) return err("message_not_in_streaming_state");
      const text = String(a.markdown_text ?? "");
      if (text.length > STREAM_MAX || (m.markdown ?? "").length + text.length > STREAM_MAX)
        return err("msg_too_long");
      m.markdown = (m.markdown ?? "") + text;
      m.appends += 1;
      if (knobs.expireStreamsAfterAppends !== null && m.appends >= knobs.expireStreamsAfterAppends)
        m.streaming = false;
      return ok({ channel: m.channel, ts: m.ts });
    },
    "chat.stopStream": (a) => {
      if (knobs.streaming === "unknown_method")
        return err("unknown_method", { req_method: "chat.stopStream" });
      const m = find(channelOf(String(a.channel ?? "")), String(a.ts ?? ""));
      if (!m) return err("message_not_found");
      if (!m.streaming) return err("message_not_in_streaming_state");
      if (a.markdown_text) m.markdown = (m.markdown ?? "") + String(a.markdown_text);
      m.streaming = false;
      return ok({
        channel: m.channel,
        ts: m.ts,
        message: { type: "message", text: m.markdown, ts: m.ts, bot_id: botId },
      });
    },
    "views.open": (a) => {
      const issued = triggers.get(String(a.trigger_id ?? ""));
      if (issued === undefined) return err("invalid_trigger_id");
      if (Date.now() - issued > TRIGGER_TTL_MS) return err("expired_trigger_id");
      triggers.delete(String(a.trigger_id));
      const view = a.view;
      if (view?.type !== "modal" || !Array.isArray(view.blocks)) return err("invalid_arguments");
      if (view.blocks.length > 100) return err("invalid_arguments");
      const id = newId("V");
      views.push({ id, triggerId: String(a.trigger_id), view });
      return ok({
        view: {
          ...view,
          id,
          team_id: teamId,
          app_id: appId,
          bot_id: botId,
          state: { values: {} },
          hash: `${Date.now()}.${randomBytes(4).toString("hex")}`,
        },
      });
    },
    "files.getUploadURLExternal": (a) => {
      if (!a.filename) return err("invalid_arguments");
      const length = Number(a.length);
      if (!Number.isInteger(length) || length <= 0) return err("invalid_arguments");
      const id = newId("F");
      files.push({ id, filename: String(a.filename), content: "", completed: false });
      return ok({ upload_url: `${base}/upload/v1/${id}`, file_id: id });
    },
    "files.completeUploadExternal": (a) => {
      const list = Array.isArray(a.files) ? (a.files as Array<{ id: string; title?: string }>) : [];
      if (!list.length) return err("invalid_arguments");
      const channel = a.channel_id ? channelOf(String(a.channel_id)) : undefined;
      if (channel && knobs.notInChannel.includes(channel)) return err("not_in_channel");
      const out = [];
      for (const f of list) {
        const file = files.find((x) => x.id === f.id);
        if (!file?.content) return err("file_not_found");
        Object.assign(file, { title: f.title, channel, threadTs: a.thread_ts, completed: true });
        out.push({
          id: file.id,
          name: file.filename,
          title: f.title ?? file.filename,
          mimetype: "text/markdown",
          size: Buffer.byteLength(file.content),
        });
      }
      return ok({ files: out });
    },
    "apps.connections.open": (_a, token) => {
      if (token !== appToken) return err("invalid_auth");
      return ok({
        url: `${base.replace(/^http/, "ws")}/link/?ticket=${randomBytes(8).toString("hex")}&app_id=${appId}`,
      });
    },
  };

  /** Slack's message limits: 50 blocks, 3,000 characters of section text, 150 of a header. */
  function messageProblem(a: Record<string, any>): string | null {
    const blocks = a.blocks;
    if (!a.text && !blocks) return "no_text";
    if (String(a.text ?? "").length > 40_000) return "msg_too_long";
    if (blocks === undefined) return null;
    if (!Array.isArray(blocks) || blocks.length > 50) return "invalid_blocks";
    for (const b of blocks) {
      if (b.type === "section" && (!b.text?.text || String(b.text.text).length > SECTION_MAX))
        return "invalid_blocks";
      if (b.type === "header" && (b.text?.type !== "plain_text" || String(b.text.text).length > 150))
        return "invalid_blocks";
      if (b.type === "actions" && (!Array.isArray(b.elements) || b.elements.length > 25))
        return "invalid_blocks";
      if (b.type === "context" && (!Array.isArray(b.elements) || b.elements.length > 10))
        return "invalid_blocks";
    }
    return null;
  }

  async function readArgs(req: http.IncomingMessage, raw: Buffer): Promise<Record<string, any> | null> {
    const type = req.headers["content-type"] ?? "";
    const text = raw.toString("utf8");
    if (type.includes("application/json")) {
      try {
        return JSON.parse(text || "{}");
      } catch {
        return null;
      }
    }
    if (type.includes("multipart/form-data")) {
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
      const out: Record<string, any> = {};
      for (const [k, v] of form)
        out[k] = typeof v === "string" ? v : Buffer.from(await v.arrayBuffer()).toString("utf8");
      return out;
    }
    // application/x-www-form-urlencoded: objects arrive JSON-encoded in a field, as the SDK sends them.
    const out: Record<string, any> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
    }
    return out;
  }

  async function api(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    raw: Buffer,
  ): Promise<void> {
    const callSeq = nextSeq();
    const args = (await readArgs(req, raw)) ?? {};
    const bearer = /^Bearer\s+(.+)$/.exec(String(req.headers.authorization ?? ""))?.[1] ?? null;
    const token = bearer ?? (typeof args.token === "string" ? args.token : null);
    delete args.token;
    const call: SlackCall = {
      seq: callSeq,
      method,
      contentType: String(req.headers["content-type"] ?? ""),
      args,
      token,
      at: Date.now(),
      status: 0,
      response: {},
    };
    calls.push(call);
    const held = holds.get(method);
    if (held) await held;
    const wait = knobs.latencyMs[method];
    if (wait) await new Promise((r) => setTimeout(r, wait));

    let answer: Answer;
    const limited =
      knobs.rateLimit &&
      (!knobs.rateLimit.method || knobs.rateLimit.method === method) &&
      knobs.rateLimit.times > 0;
    if (limited) {
      knobs.rateLimit!.times -= 1;
      answer = {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(knobs.rateLimit!.retryAfterSec) },
      };
    } else if (!token) answer = err("not_authed");
    else if (method === "apps.connections.open" ? !token.startsWith("xapp-") : token !== botToken)
      answer = err("invalid_auth");
    else if (
      knobs.fail &&
      knobs.fail.method === method &&
      (knobs.fail.times === undefined || knobs.fail.times > 0)
    ) {
      if (knobs.fail.times !== undefined) knobs.fail.times -= 1;
      answer = err(knobs.fail.error);
    } else {
      const handler = handlers[method];
      answer = handler ? await handler(args, token) : err("unknown_method", { req_method: method });
    }
    call.status = answer.status ?? 200;
    call.response = answer.body;
    res.writeHead(call.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://fake");
      const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
      const upload = /^\/upload\/v1\/(\w+)$/.exec(url.pathname);
      void (async () => {
        if (req.method === "POST" && apiMatch) return api(req, res, apiMatch[1]!, raw);
        if (req.method === "POST" && upload) {
          const file = files.find((f) => f.id === upload[1]);
          if (!file) return void res.writeHead(404).end();
          const args = await readArgs(req, raw);
          file.content = typeof args?.body === "string" ? args.body : raw.toString("utf8");
          calls.push({
            seq: nextSeq(),
            method: "upload",
            contentType: String(req.headers["content-type"] ?? ""),
            args: { file: file.id },
            token: null,
            at: Date.now(),
            status: 200,
            response: {},
          });
          res.writeHead(200, { "content-type": "text/plain" });
          return void res.end(`OK - ${Buffer.byteLength(file.content)}`);
        }
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "unknown_method" }));
      })().catch(() => res.destroy());
    });
  });

  // ---------------------------------------------------------------- Socket Mode

  const sockets = new Set<WsConnection>();
  const acks = new Map<string, (ack: { envelopeId: string; payload: any; seq: number }) => void>();
  let onConnect: Array<() => void> = [];
  server.on("upgrade", (req, socket: Socket) => {
    if (!req.url?.startsWith("/link") || req.headers.upgrade?.toLowerCase() !== "websocket")
      return void socket.destroy();
    const key = String(req.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const conn = new WsConnection(socket, (text) => {
      const msg = safeJson(text) as { envelope_id?: string; payload?: unknown } | null;
      if (msg?.envelope_id)
        acks.get(msg.envelope_id)?.({ envelopeId: msg.envelope_id, payload: msg.payload, seq: nextSeq() });
    });
    sockets.add(conn);
    socket.on("close", () => sockets.delete(conn));
    conn.sendText(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: "fake-slack", build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: appId },
      }),
    );
    const waiting = onConnect;
    onConnect = [];
    for (const w of waiting) w();
  });

  // ---------------------------------------------------------------- calling the bot

  const sign = (body: string, timestamp = Math.floor(Date.now() / 1000), secret = signingSecret) => ({
    timestamp: String(timestamp),
    signature: `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  });

  async function deliver(
    botUrl: string,
    body: string,
    contentType: string,
    opts: DeliverOptions = {},
  ): Promise<Delivery> {
    const signed = sign(body, opts.timestamp, opts.secret);
    const headers: Record<string, string> = {
      "content-type": contentType,
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": signed.timestamp,
      "x-slack-signature": opts.signature ?? signed.signature,
    };
    if (opts.retryNum !== undefined) {
      headers["x-slack-retry-num"] = String(opts.retryNum);
      headers["x-slack-retry-reason"] = opts.retryReason ?? "http_timeout";
    }
    const res = await fetch(`${botUrl.replace(/\/$/, "")}/slack/events`, { method: "POST", headers, body });
    const text = await res.text();
    return { status: res.status, text, json: safeJson(text), seq: nextSeq() };
  }

  function eventBody(
    event: Record<string, any>,
    opts: { eventId?: string; teamId?: string } = {},
  ): Record<string, any> {
    const team = opts.teamId ?? teamId;
    return {
      token: "fake-verification-token",
      team_id: team,
      context_team_id: team,
      api_app_id: appId,
      event: { ...event, event_ts: event.ts },
      type: "event_callback",
      event_id: opts.eventId ?? newId("Ev"),
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: team,
          user_id: botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(12).toString("base64url")}`,
    };
  }

  function personSays(channel: string, user: string, text: string, threadTs?: string): FakeMessage {
    const m: FakeMessage = {
      channel,
      ts: newTs(),
      threadTs,
      text,
      appends: 0,
      via: "user",
      user,
      bot: false,
      updates: 0,
    };
    list(channel).push(m);
    return m;
  }

  const payloadForm = (payload: unknown) =>
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const userBlock = (id: string, team: string) => ({
    id,
    username: userOf(id).name,
    name: userOf(id).name,
    team_id: team,
  });

  const fake: FakeSlack = {
    url: "",
    botToken,
    appToken,
    signingSecret,
    teamId,
    botUserId,
    botId,
    appId,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    set(k) {
      Object.assign(knobs, k);
      if (k.rateLimit) knobs.rateLimit = { ...k.rateLimit };
      if (k.fail) knobs.fail = { ...k.fail };
    },
    hold(method) {
      let release!: () => void;
      holds.set(method, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(method);
        release();
      };
    },
    addUser(u) {
      users.set(u.id, {
        name: u.id.toLowerCase(),
        realName: `Person ${u.id}`,
        displayName: `person-${u.id.toLowerCase()}`,
        teamId,
        ...u,
      });
    },
    messages: (channel) =>
      channel ? [...(store.get(channelOf(channel)) ?? [])] : [...store.values()].flat(),
    thread(channel, ts) {
      const all = store.get(channelOf(channel)) ?? [];
      return all.filter((m) => m.ts === ts || m.threadTs === ts);
    },
    ephemerals,
    views,
    files,
    expireStreams() {
      for (const m of [...store.values()].flat()) m.streaming = false;
    },
    nextSeq,
    sign,
    deliver,
    eventBody,
    async mention(botUrl, m, opts = {}) {
      const said = personSays(m.channel, m.user, m.text, m.threadTs);
      const body = eventBody(
        {
          type: "app_mention",
          user: m.user,
          text: m.text,
          ts: said.ts,
          channel: m.channel,
          team: m.teamId ?? teamId,
          ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        },
        { eventId: opts.eventId, teamId: m.teamId },
      );
      const delivery = await deliver(botUrl, JSON.stringify(body), "application/json", opts);
      return { eventId: body.event_id, ts: said.ts, delivery };
    },
    async directMessage(botUrl, m, opts = {}) {
      const channel = channelOf(m.user);
      const said = personSays(channel, m.user, m.text, m.threadTs);
      const body = eventBody(
        {
          type: "message",
          channel_type: "im",
          user: m.user,
          text: m.text,
          ts: said.ts,
          channel,
          team: m.teamId ?? teamId,
          client_msg_id: randomBytes(8).toString("hex"),
          ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        },
        { eventId: opts.eventId, teamId: m.teamId },
      );
      const delivery = await deliver(botUrl, JSON.stringify(body), "application/json", opts);
      return { eventId: body.event_id, ts: said.ts, channel, delivery };
    },
    commandFields(c) {
      const triggerId = issueTrigger();
      const team = c.teamId ?? teamId;
      const fields = {
        token: "fake-verification-token",
        team_id: team,
        team_domain: "fake-team",
        channel_id: c.channel,
        channel_name: "general",
        user_id: c.user,
        user_name: userOf(c.user).name,
        command: c.command ?? "/article",
        text: c.text ?? "",
        api_app_id: appId,
        is_enterprise_install: "false",
        response_url: `${base}/commands/${team}/${randomBytes(6).toString("hex")}`,
        trigger_id: triggerId,
      };
      return { triggerId, fields };
    },
    async command(botUrl, c, opts = {}) {
      const { triggerId, fields } = fake.commandFields(c);
      return {
        triggerId,
        delivery: await deliver(
          botUrl,
          new URLSearchParams(fields).toString(),
          "application/x-www-form-urlencoded",
          opts,
        ),
      };
    },
    async shortcut(botUrl, s, opts = {}) {
      const triggerId = issueTrigger();
      const team = s.teamId ?? teamId;
      const payload = {
        type: "shortcut",
        token: "fake-verification-token",
        action_ts: `${Date.now() / 1000}`,
        team: { id: team, domain: "fake-team" },
        user: userBlock(s.user, team),
        is_enterprise_install: false,
        enterprise: null,
        callback_id: s.callbackId,
        trigger_id: triggerId,
      };
      return {
        triggerId,
        delivery: await deliver(botUrl, payloadForm(payload), "application/x-www-form-urlencoded", opts),
      };
    },
    async submitView(botUrl, viewId, user, values, opts = {}) {
      const opened = views.find((v) => v.id === viewId);
      if (!opened) throw new Error(`no view ${viewId}`);
      const team = opts.teamId ?? teamId;
      const state: Record<string, Record<string, any>> = {};
      for (const block of opened.view.blocks as any[]) {
        if (block.type !== "input") continue;
        const el = block.element;
        const given = values[block.block_id];
        const initial = el.initial_option?.value ?? el.initial_value;
        const v = given ?? initial;
        state[block.block_id] = {
          [el.action_id]:
            el.type === "static_select"
              ? {
                  type: el.type,
                  selected_option: v ? ((el.options as any[]).find((o) => o.value === v) ?? null) : null,
                }
              : el.type === "number_input"
                ? { type: el.type, value: v ?? null }
                : { type: el.type, value: v ?? null },
        };
      }
      const payload = {
        type: "view_submission",
        team: { id: team, domain: "fake-team" },
        user: userBlock(user, team),
        api_app_id: appId,
        token: "fake-verification-token",
        trigger_id: issueTrigger(),
        view: {
          ...opened.view,
          id: viewId,
          team_id: team,
          app_id: appId,
          bot_id: botId,
          state: { values: state },
          hash: "1.fake",
          root_view_id: viewId,
          previous_view_id: null,
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      return deliver(botUrl, payloadForm(payload), "application/x-www-form-urlencoded", opts);
    },
    async clickButton(botUrl, message, actionId, user, opts = {}) {
      const button = (message.blocks ?? [])
        .flatMap((b: any) =>
          b.type === "actions" ? b.elements.map((e: any) => ({ ...e, block_id: b.block_id })) : [],
        )
        .find((e: any) => e.action_id === actionId);
      if (!button) throw new Error(`no button ${actionId} on message ${message.ts}`);
      const triggerId = issueTrigger();
      const team = opts.teamId ?? teamId;
      const payload = {
        type: "block_actions",
        user: userBlock(user, team),
        api_app_id: appId,
        token: "fake-verification-token",
        container: {
          type: "message",
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: false,
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        },
        trigger_id: triggerId,
        team: { id: team, domain: "fake-team" },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: message.channel, name: "general" },
        message: {
          type: "message",
          bot_id: botId,
          text: message.text,
          ts: message.ts,
          thread_ts: message.threadTs,
          blocks: message.blocks,
        },
        state: { values: {} },
        response_url: `${base}/actions/${team}/${randomBytes(6).toString("hex")}`,
        actions: [
          {
            action_id: actionId,
            block_id: button.block_id,
            text: button.text,
            value: button.value,
            type: "button",
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      };
      return {
        triggerId,
        delivery: await deliver(botUrl, payloadForm(payload), "application/x-www-form-urlencoded", opts),
      };
    },
    socket: {
      connected: () => (sockets.size ? Promise.resolve() : new Promise<void>((r) => onConnect.push(r))),
      connections: () => sockets.size,
      send(type, payload, opts = {}) {
        const conn = [...sockets][0];
        if (!conn) return Promise.reject(new Error("no socket mode connection"));
        const envelopeId = opts.envelopeId ?? randomBytes(16).toString("hex");
        const acked = new Promise<{ envelopeId: string; payload: any; seq: number }>((resolve) =>
          acks.set(envelopeId, resolve),
        );
        conn.sendText(
          JSON.stringify({
            envelope_id: envelopeId,
            payload,
            type,
            accepts_response_payload: type !== "events_api",
            ...(type === "events_api"
              ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? "" }
              : {}),
          }),
        );
        return acked;
      },
      dropAll() {
        for (const c of sockets) c.close(1001, "going away");
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of sockets) c.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  fake.url = `${base}/api/`;
  return fake;
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Just enough RFC 6455 for Socket Mode: text frames, ping/pong, close; client frames are masked. */
class WsConnection {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly onText: (text: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.drain();
    });
    socket.on("error", () => undefined);
  }

  sendText(text: string): void {
    this.frame(0x1, Buffer.from(text, "utf8"));
  }

  close(code: number, reason: string): void {
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.frame(0x8, body);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private frame(opcode: number, payload: Buffer): void {
    if (this.socket.destroyed) return;
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, n]) : n < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (n >= 126 && n < 65_536) {
      head[0] = 0x80 | opcode;
      head[1] = 126;
      head.writeUInt16BE(n, 2);
    } else if (n >= 65_536) {
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  private drain(): void {
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (b.length < offset + len) return;
      const payload = Buffer.from(b.subarray(offset, offset + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskAt + (i % 4)]!;
      this.buffer = b.subarray(offset + len);
      this.onFrame(fin, opcode, payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === 0x9) {
      this.frame(0xa, payload); // ping → pong
      return;
    }
    if (opcode === 0xa) return;
    if (opcode === 0x8) {
      this.frame(0x8, payload.subarray(0, 2));
      this.socket.end();
      return;
    }
    if (opcode === 0x1 || opcode === 0x0) {
      this.fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.fragments).toString("utf8");
      this.fragments = [];
      this.onText(text);
    }
  }
}
