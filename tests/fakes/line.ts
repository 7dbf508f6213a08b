import { createHmac, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { type FakePeople, fakePeople, type PeopleEndpoint, validateTextV2 } from "./line-people.ts";

/**
 * A local LINE Messaging API for tests and load runs, enforcing the limits the real one does:
 * a Bearer channel access token, 1–5 message objects per reply or push, at most 5,000
 * characters per text message, quick replies of at most 13 buttons with 20-character labels,
 * reply tokens that are single-use and expire, X-Line-Retry-Key (409 with the accepted
 * request's id on a repeat), the loading animation's 5–60 s in steps of 5, profiles and bot
 * info, the month's message quota (a push counts once per recipient, a reply is free; past the
 * limit a push answers 429 "You have reached your monthly limit."), and Flex messages' basic
 * shape (a bubble or a carousel of at most 12, 30 KB per bubble, 50 KB per carousel, alt text of
 * at most 1,500 characters, no empty text). It records every call and what each chat received, and signs and posts webhook
 * deliveries exactly as LINE does. The real @line/bot-sdk client talks to it via `baseURL`.
 *
 * https://developers.line.biz/en/reference/messaging-api/
 */

export type FakeLineEndpoint =
  | "reply"
  | "push"
  | "loading"
  | "profile"
  | "info"
  | "quota"
  | "quota-consumption";

export type FakeLineFailure =
  /** Answer with this status and LINE's error JSON, without doing anything. */
  | { kind: "status"; status: 429 | 500 | 502 | 503 }
  /** Do the work (deliver the messages), then answer 500 as if the response were lost. */
  | { kind: "after-accept"; status: 500 | 502 | 503 }
  /** Never answer (the client's timeout must act). */
  | { kind: "hang" };

export type FakeLineFailurePlan = FakeLineFailure & { only: FakeLineEndpoint; times?: number };

export interface FakeLineOptions {
  accessToken?: string;
  channelSecret?: string;
  /** The bot's user id: the webhook's `destination`. */
  botUserId?: string;
  /** How long a reply token stays good (LINE: about a minute). */
  replyTokenTtlMs?: number;
  /** The month's message limit (null: none, LINE's `type: "none"`). */
  monthlyLimit?: number | null;
  latencyMs?: number;
  port?: number;
}

export interface RecordedLineCall {
  endpoint: FakeLineEndpoint | PeopleEndpoint | "unknown";
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
  at: number;
}

export interface DeliveredMessage {
  /** The id LINE gave the message (the response's `sentMessages[].id`); a quote refers to it. */
  id: string;
  chatId: string;
  via: "reply" | "push";
  /** The LINE message object as sent (type, text, quickReply...). */
  message: {
    type: string;
    text?: string;
    altText?: string;
    contents?: unknown;
    quickReply?: { items: QuickReplyItem[] };
    quoteToken?: string;
    substitution?: Record<string, { type: string; mentionee?: { type: string; userId?: string } }>;
  };
  requestId: string;
  at: number;
}

export interface QuickReplyItem {
  type: "action";
  action: { type: string; label?: string; data?: string; text?: string; displayText?: string };
}

export interface Profile {
  displayName: string;
  language?: string;
}

export interface FakeLine {
  /** For LINE_API_BASE_URL (the SDK keeps the origin only, so everything is served from "/"). */
  url: string;
  accessToken: string;
  channelSecret: string;
  botUserId: string;
  calls: RecordedLineCall[];
  /** Everything each chat received, in order. */
  delivered: DeliveredMessage[];
  messagesTo(chatId: string): DeliveredMessage[];
  set(knobs: {
    latencyMs?: number;
    replyTokenTtlMs?: number;
    failure?: FakeLineFailurePlan | null;
    monthlyLimit?: number | null;
    /** Members of a group or room: a push into it counts once per member. */
    members?: Record<string, number>;
  }): void;
  /** Messages counted against the monthly limit so far (pushes, per recipient). */
  quotaUsed(): number;
  setProfile(userId: string, profile: Profile | null): void;
  /** Member profiles, group names, read tokens and rich menus (tests/fakes/line-people.ts). */
  people: FakePeople;
  /** A reply token LINE would put in an event from this chat. */
  issueReplyToken(chatId: string): string;
  events: EventBuilders;
  /** Signs `body` with the channel secret as LINE does (base64 HMAC-SHA256 of the exact bytes). */
  sign(body: string | Buffer): string;
  /** POSTs a webhook delivery to `url` signed as LINE does (or with `signature` given). */
  deliver(
    url: string,
    events: object[],
    opts?: { signature?: string; destination?: string },
  ): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

interface ReplyToken {
  chatId: string;
  issuedAt: number;
  used: boolean;
}

const AUTH_FAILED =
  "Authentication failed. Confirm that the access token in the authorization header is valid.";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startFakeLine(options: FakeLineOptions = {}): Promise<FakeLine> {
  const accessToken = options.accessToken ?? `fake-line-token-${randomBytes(8).toString("hex")}`;
  const channelSecret = options.channelSecret ?? randomBytes(16).toString("hex");
  const botUserId = options.botUserId ?? `U${randomBytes(16).toString("hex")}`;
  const knobs = {
    latencyMs: options.latencyMs ?? 0,
    replyTokenTtlMs: options.replyTokenTtlMs ?? 60_000,
    failure: null as FakeLineFailurePlan | null,
    monthlyLimit: options.monthlyLimit ?? null,
    members: {} as Record<string, number>,
  };
  let quotaUsed = 0;
  const calls: RecordedLineCall[] = [];
  const delivered: DeliveredMessage[] = [];
  const tokens = new Map<string, ReplyToken>();
  const retryKeys = new Map<string, string>(); // key -> request id that was accepted
  const profiles = new Map<string, Profile | null>();
  const hanging = new Set<http.ServerResponse>();
  const people = fakePeople();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void handle(req, res, Buffer.concat(chunks)).catch(() => res.destroy()));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, bytes: Buffer): Promise<void> {
    const raw = bytes.toString("utf8");
    const path = (req.url ?? "/").split("?")[0]!;
    const endpoint = endpointOf(req.method ?? "", path);
    const call: RecordedLineCall = {
      endpoint: endpoint ?? "unknown",
      method: req.method ?? "",
      path,
      headers: req.headers,
      body: undefined,
      status: 0,
      at: Date.now(),
    };
    calls.push(call);
    const requestId = randomUUID();
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      call.status = status;
      res.writeHead(status, {
        "content-type": "application/json",
        "x-line-request-id": requestId,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    if (knobs.latencyMs) await delay(knobs.latencyMs);
    if (req.headers.authorization !== `Bearer ${accessToken}`) return send(401, { message: AUTH_FAILED });
    const answered = people.handle(req.method ?? "", path, bytes, req.headers);
    if (answered) {
      call.endpoint = answered.endpoint;
      call.body = answered.recorded;
      return send(answered.status, answered.body);
    }
    if (!endpoint) return send(404, { message: "Not found" });
    if (req.method === "POST") {
      try {
        call.body = JSON.parse(raw);
      } catch {
        return send(400, { message: "The request body could not be parsed as JSON" });
      }
    }
    const failure = takeFailure(endpoint);
    if (failure?.kind === "hang") {
      hanging.add(res);
      return;
    }
    if (failure?.kind === "status")
      return send(failure.status, {
        message:
          failure.status === 429
            ? "The API rate limit has been exceeded. Try again later."
            : "An error occurred in the server.",
      });
    const reply = (status: number, body: unknown, headers?: Record<string, string>) =>
      failure?.kind === "after-accept" && status < 300
        ? send(failure.status, { message: "An error occurred in the server." })
        : send(status, body, headers);

    switch (endpoint) {
      case "info":
        return reply(200, {
          userId: botUserId,
          basicId: "@123abcde",
          displayName: "Article Bot",
          pictureUrl: "https://profile.line-scdn.net/fake",
          chatMode: "bot",
          markAsReadMode: "auto",
        });
      case "profile": {
        const userId = decodeURIComponent(path.slice("/v2/bot/profile/".length));
        const profile = profiles.has(userId)
          ? profiles.get(userId)
          : /^U[0-9a-f]{32}$/.test(userId)
            ? { displayName: `User ${userId.slice(1, 7)}` }
            : null;
        if (!profile) return send(404, { message: "Not found" });
        return reply(200, {
          userId,
          displayName: profile.displayName,
          pictureUrl: "https://profile.line-scdn.net/fake",
          statusMessage: "",
          ...(profile.language ? { language: profile.language } : {}),
        });
      }
      case "quota":
        return reply(
          200,
          knobs.monthlyLimit === null ? { type: "none" } : { type: "limited", value: knobs.monthlyLimit },
        );
      case "quota-consumption":
        return reply(200, { totalUsage: quotaUsed });
      case "loading": {
        const body = call.body as { chatId?: unknown; loadingSeconds?: unknown };
        if (typeof body.chatId !== "string" || !/^U[0-9a-f]{32}$/.test(body.chatId))
          return send(400, invalid("chatId", "Must be a user ID (one-to-one chats only)"));
        const s = body.loadingSeconds ?? 20;
        if (typeof s !== "number" || !Number.isInteger(s) || s < 5 || s > 60 || s % 5 !== 0)
          return send(400, invalid("loadingSeconds", "Must be a multiple of 5 between 5 and 60"));
        return reply(202, {});
      }
      case "reply": {
        if (req.headers["x-line-retry-key"] !== undefined)
          return send(400, { message: "The retry key cannot be used with this API" });
        const body = call.body as { replyToken?: unknown; messages?: unknown };
        const problem = validateMessages(body.messages);
        if (problem) return send(400, problem);
        const token = typeof body.replyToken === "string" ? tokens.get(body.replyToken) : undefined;
        if (!token || token.used || Date.now() - token.issuedAt > knobs.replyTokenTtlMs)
          return send(400, { message: "Invalid reply token" });
        token.used = true;
        return reply(200, {
          sentMessages: record(
            token.chatId,
            "reply",
            body.messages as DeliveredMessage["message"][],
            requestId,
          ),
        });
      }
      case "push": {
        const key = req.headers["x-line-retry-key"];
        if (key !== undefined && (typeof key !== "string" || !UUID.test(key)))
          return send(400, { message: "The value for the 'X-Line-Retry-Key' header is invalid" });
        const body = call.body as { to?: unknown; messages?: unknown };
        if (typeof body.to !== "string" || !/^[UCR][0-9a-f]{32}$/.test(body.to))
          return send(400, invalid("to", "Must be a user, group or room ID"));
        const problem = validateMessages(body.messages);
        if (problem) return send(400, problem);
        if (typeof key === "string" && retryKeys.has(key)) {
          return send(
            409,
            { message: "The retry key is already accepted", sentMessages: [] },
            { "x-line-accepted-request-id": retryKeys.get(key)! },
          );
        }
        // A push counts once per recipient, whatever the number of bubbles it carries.
        const cost = body.to.startsWith("U") ? 1 : (knobs.members[body.to] ?? 1);
        if (knobs.monthlyLimit !== null && quotaUsed + cost > knobs.monthlyLimit)
          return send(429, { message: "You have reached your monthly limit." });
        if (typeof key === "string") retryKeys.set(key, requestId);
        quotaUsed += cost;
        return reply(200, {
          sentMessages: record(body.to, "push", body.messages as DeliveredMessage["message"][], requestId),
        });
      }
    }
  }

  function record(
    chatId: string,
    via: "reply" | "push",
    messages: DeliveredMessage["message"][],
    requestId: string,
  ) {
    const at = Date.now();
    return messages.map((message) => {
      const id = String(Math.floor(Math.random() * 1e17));
      delivered.push({ id, chatId, via, message, requestId, at });
      return {
        id,
        quoteToken: randomBytes(16).toString("base64url"),
      };
    });
  }

  function takeFailure(endpoint: FakeLineEndpoint): FakeLineFailure | null {
    const plan = knobs.failure;
    if (!plan || plan.only !== endpoint) return null;
    if (plan.times !== undefined) {
      if (plan.times <= 0) return null;
      plan.times -= 1;
    }
    return plan;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const sign = (body: string | Buffer) => createHmac("sha256", channelSecret).update(body).digest("base64");
  const issueReplyToken = (chatId: string) => {
    const token = randomBytes(16).toString("hex");
    tokens.set(token, { chatId, issuedAt: Date.now(), used: false });
    return token;
  };

  return {
    url,
    accessToken,
    channelSecret,
    botUserId,
    calls,
    delivered,
    messagesTo: (chatId) => delivered.filter((d) => d.chatId === chatId),
    set(next) {
      if (next.latencyMs !== undefined) knobs.latencyMs = next.latencyMs;
      if (next.replyTokenTtlMs !== undefined) knobs.replyTokenTtlMs = next.replyTokenTtlMs;
      if ("failure" in next) knobs.failure = next.failure ? { ...next.failure } : null;
      if (next.monthlyLimit !== undefined) knobs.monthlyLimit = next.monthlyLimit;
      if (next.members) Object.assign(knobs.members, next.members);
    },
    quotaUsed: () => quotaUsed,
    setProfile: (userId, profile) => void profiles.set(userId, profile),
    people,
    issueReplyToken,
    events: eventBuilders(issueReplyToken, botUserId, () => people.issueReadToken()),
    sign,
    async deliver(target, events, opts = {}) {
      const body = JSON.stringify({ destination: opts.destination ?? botUserId, events });
      const res = await fetch(target, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "LineBotWebhook/2.0",
          "x-line-signature": opts.signature ?? sign(body),
        },
        body,
      });
      return { status: res.status, text: await res.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function endpointOf(method: string, path: string): FakeLineEndpoint | null {
  if (method === "POST" && path === "/v2/bot/message/reply") return "reply";
  if (method === "POST" && path === "/v2/bot/message/push") return "push";
  if (method === "POST" && path === "/v2/bot/chat/loading/start") return "loading";
  if (method === "GET" && path === "/v2/bot/info") return "info";
  if (method === "GET" && path === "/v2/bot/message/quota") return "quota";
  if (method === "GET" && path === "/v2/bot/message/quota/consumption") return "quota-consumption";
  if (method === "GET" && path.startsWith("/v2/bot/profile/") && path.length > "/v2/bot/profile/".length)
    return "profile";
  return null;
}

function invalid(property: string, message: string) {
  return { message: "The request body has 1 error(s)", details: [{ message, property }] };
}

/** LINE's validation of message objects, for the limits the bot must respect. */
function validateMessages(messages: unknown): object | null {
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5)
    return invalid("messages", "Size must be between 1 and 5");
  for (const [i, m] of messages.entries()) {
    if (!m || typeof m !== "object") return invalid(`messages[${i}]`, "Must be a message object");
    const msg = m as DeliveredMessage["message"];
    if (msg.type === "text") {
      if (typeof msg.text !== "string" || msg.text.length === 0 || msg.text.length > 5000)
        return invalid(`messages[${i}].text`, "Length must be between 1 and 5000");
    } else if (msg.type === "textV2") {
      const problem = validateTextV2(m, `messages[${i}]`);
      if (problem) return problem;
    } else if (msg.type === "flex") {
      const problem = validateFlex(msg, `messages[${i}]`);
      if (problem) return problem;
    } else if (
      !["sticker", "image", "video", "audio", "location", "imagemap", "template", "flex", "textV2"].includes(
        msg.type,
      )
    ) {
      return invalid(`messages[${i}].type`, "Must be one of the message types");
    }
    const items = msg.quickReply?.items;
    if (items !== undefined) {
      if (!Array.isArray(items) || items.length < 1 || items.length > 13)
        return invalid(`messages[${i}].quickReply.items`, "Size must be between 1 and 13");
      for (const [j, item] of items.entries()) {
        const a = item?.action;
        if (item?.type !== "action" || !a)
          return invalid(`messages[${i}].quickReply.items[${j}]`, "Must be an action item");
        if (typeof a.label !== "string" || [...a.label].length < 1 || [...a.label].length > 20)
          return invalid(
            `messages[${i}].quickReply.items[${j}].action.label`,
            "Length must be between 1 and 20",
          );
        if (a.type === "postback" && (typeof a.data !== "string" || a.data.length > 300))
          return invalid(
            `messages[${i}].quickReply.items[${j}].action.data`,
            "Length must be between 0 and 300",
          );
        if (a.displayText !== undefined && (typeof a.displayText !== "string" || a.displayText.length > 300))
          return invalid(
            `messages[${i}].quickReply.items[${j}].action.displayText`,
            "Length must be between 1 and 300",
          );
      }
    }
  }
  return null;
}

const FLEX_BUBBLE_MAX_BYTES = 30 * 1024;
const FLEX_CAROUSEL_MAX_BYTES = 50 * 1024;

/**
 * A Flex message's basic shape: alt text, a bubble or a carousel of 1–12 bubbles within LINE's
 * size limits, text components that say something, buttons' postback data and labels.
 *
 * https://developers.line.biz/en/reference/messaging-api/#flex-message
 */
function validateFlex(msg: DeliveredMessage["message"], at: string): object | null {
  if (typeof msg.altText !== "string" || msg.altText.length < 1 || msg.altText.length > 1500)
    return invalid(`${at}.altText`, "Length must be between 1 and 1500");
  const contents = msg.contents as { type?: unknown; contents?: unknown } | undefined;
  const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
  let bubbles: unknown[];
  if (contents?.type === "bubble") bubbles = [contents];
  else if (contents?.type === "carousel") {
    if (!Array.isArray(contents.contents) || contents.contents.length < 1 || contents.contents.length > 12)
      return invalid(`${at}.contents.contents`, "Size must be between 1 and 12");
    if (bytes(contents) > FLEX_CAROUSEL_MAX_BYTES)
      return invalid(`${at}.contents`, "A carousel must be at most 50 KB");
    bubbles = contents.contents;
  } else return invalid(`${at}.contents.type`, "Must be bubble or carousel");
  for (const [j, bubble] of bubbles.entries()) {
    if ((bubble as { type?: unknown })?.type !== "bubble")
      return invalid(`${at}.contents[${j}].type`, "Must be bubble");
    if (bytes(bubble) > FLEX_BUBBLE_MAX_BYTES)
      return invalid(`${at}.contents[${j}]`, "A bubble must be at most 30 KB");
    const problem = flexComponents(bubble, `${at}.contents[${j}]`);
    if (problem) return problem;
  }
  return null;
}

function flexComponents(node: unknown, at: string): object | null {
  if (!node || typeof node !== "object") return null;
  const c = node as { type?: unknown; text?: unknown; contents?: unknown; action?: unknown };
  if (c.type === "text" && !Array.isArray(c.contents) && (typeof c.text !== "string" || !c.text.length))
    return invalid(`${at}.text`, "Must not be empty");
  if (c.type === "button") {
    const a = c.action as { type?: unknown; label?: unknown; data?: unknown } | undefined;
    if (!a || typeof a.label !== "string" || [...a.label].length < 1 || [...a.label].length > 40)
      return invalid(`${at}.action.label`, "Length must be between 1 and 40");
    if (a.type === "postback" && (typeof a.data !== "string" || a.data.length > 300))
      return invalid(`${at}.action.data`, "Length must be between 0 and 300");
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === "action") continue;
    const children = Array.isArray(v) ? v : [v];
    for (const [i, child] of children.entries()) {
      if (!child || typeof child !== "object") continue;
      const problem = flexComponents(child, `${at}.${k}${Array.isArray(v) ? `[${i}]` : ""}`);
      if (problem) return problem;
    }
  }
  return null;
}

// ---- webhook events, shaped as LINE sends them ----

export interface Mention {
  /** Mention the bot (isSelf) or another member, at this place in the text. */
  who: "bot" | string;
  index: number;
  length: number;
}

export interface EventBuilders {
  /** `quotedMessageId`: the person replied to (quoted) this message, as LINE reports it. */
  text(o: ChatRef & { text: string; mentions?: Mention[]; quotedMessageId?: string }): LineEvent;
  sticker(o: ChatRef): LineEvent;
  image(o: ChatRef): LineEvent;
  postback(o: ChatRef & { data: string }): LineEvent;
  follow(o: { userId: string }): LineEvent;
  unfollow(o: { userId: string }): LineEvent;
  /** The bot was added to a group or room. */
  join(o: { groupId?: string; roomId?: string }): LineEvent;
  /** The same event again, as LINE redelivers it (same webhookEventId, isRedelivery true). */
  redelivery(event: LineEvent): LineEvent;
}

export interface ChatRef {
  /** Null: a group or room member LINE does not name (LINE for PC/Mac, or no consent). */
  userId: string | null;
  groupId?: string;
  roomId?: string;
}

export type LineEvent = Record<string, unknown> & { webhookEventId: string; replyToken?: string };

/** A user, group or room id as LINE writes them. */
export function lineId(kind: "U" | "C" | "R" = "U"): string {
  return `${kind}${randomBytes(16).toString("hex")}`;
}

function eventBuilders(
  issueReplyToken: (chatId: string) => string,
  botUserId: string,
  issueReadToken: () => string,
): EventBuilders {
  const base = (o: ChatRef) => {
    const member = o.userId ? { userId: o.userId } : {};
    const source = o.groupId
      ? { type: "group", groupId: o.groupId, ...member }
      : o.roomId
        ? { type: "room", roomId: o.roomId, ...member }
        : { type: "user", ...member };
    const chatId = o.groupId ?? o.roomId ?? o.userId ?? "";
    return {
      timestamp: Date.now(),
      source,
      webhookEventId: ulid(),
      deliveryContext: { isRedelivery: false },
      mode: "active",
      replyToken: issueReplyToken(chatId),
    };
  };
  const messageId = () => String(Math.floor(Math.random() * 1e17));
  return {
    text: (o) => ({
      type: "message",
      ...base(o),
      message: {
        id: messageId(),
        type: "text",
        quoteToken: randomBytes(16).toString("base64url"),
        markAsReadToken: issueReadToken(),
        text: o.text,
        ...(o.quotedMessageId ? { quotedMessageId: o.quotedMessageId } : {}),
        ...(o.mentions?.length
          ? {
              mention: {
                mentionees: o.mentions.map((m) =>
                  m.who === "bot"
                    ? { index: m.index, length: m.length, type: "user", userId: botUserId, isSelf: true }
                    : { index: m.index, length: m.length, type: "user", userId: m.who, isSelf: false },
                ),
              },
            }
          : {}),
      },
    }),
    sticker: (o) => ({
      type: "message",
      ...base(o),
      message: {
        id: messageId(),
        type: "sticker",
        quoteToken: randomBytes(16).toString("base64url"),
        packageId: "446",
        stickerId: "1988",
        stickerResourceType: "ANIMATION",
        keywords: ["Happy", "Hi"],
      },
    }),
    image: (o) => ({
      type: "message",
      ...base(o),
      message: {
        id: messageId(),
        type: "image",
        quoteToken: randomBytes(16).toString("base64url"),
        contentProvider: { type: "line" },
      },
    }),
    postback: (o) => ({ type: "postback", ...base(o), postback: { data: o.data } }),
    follow: (o) => ({ type: "follow", ...base(o), follow: { isUnblocked: false } }),
    unfollow: (o) => {
      const { replyToken: _none, ...event } = base(o); // unfollow events carry no reply token
      return { type: "unfollow", ...event };
    },
    join: (o) => ({ type: "join", ...base({ userId: null, ...o }) }),
    redelivery: (event) => ({ ...structuredClone(event), deliveryContext: { isRedelivery: true } }),
  };
}

/** LINE's webhookEventId is a ULID: 26 Crockford base32 characters, time first. */
function ulid(): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let time = Date.now();
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = alphabet[time % 32] + out;
    time = Math.floor(time / 32);
  }
  for (const b of randomBytes(16)) out += alphabet[b % 32];
  return out;
}

/** The buttons of a Flex message (its postback label and data), for tests that tap them. */
export function flexButtons(message: DeliveredMessage["message"]): { label: string; data: string }[] {
  const out: { label: string; data: string }[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    const c = node as { type?: unknown; action?: { label?: unknown; data?: unknown } };
    if (c.type === "button" && typeof c.action?.label === "string" && typeof c.action.data === "string")
      out.push({ label: c.action.label, data: c.action.data });
    for (const v of Object.values(node)) if (v !== c.action) walk(v);
  };
  walk(message.contents);
  return out;
}

/** The result card that closes a draft (a Flex bubble whose alt text says it is ready). */
export function isResultCard(d: { message: DeliveredMessage["message"] }): boolean {
  return d.message.type === "flex" && /^✅/.test(d.message.altText ?? "");
}

/** A "Continue reading" card: its button's postback asks for the rest of a draft. */
export function isContinueCard(d: { message: DeliveredMessage["message"] }): boolean {
  return d.message.type === "flex" && flexButtons(d.message).some((b) => b.data.startsWith("a=more"));
}
