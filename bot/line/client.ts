import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import { z } from "zod";

/**
 * The Messaging API calls the bot makes, on @line/bot-sdk's client, with what the SDK leaves
 * out: a timeout on every call (the SDK has none), bounded retries for pushes (safe because
 * each carries an X-Line-Retry-Key), and LINE's answers sorted into what the caller acts on.
 *
 * https://developers.line.biz/en/reference/messaging-api/
 */

export type LineMessage = messagingApi.Message;

export type LineErrorKind =
  /** Reply token used, expired or unknown (400 "Invalid reply token"). */
  | "invalid_reply_token"
  /** 429: too many requests; waiting helps. */
  | "rate_limited"
  /**
   * 429 "You have reached your monthly limit.": the Official Account's pushes are used up until
   * the month ends (or the plan changes). Not a rate limit: waiting minutes does not help, and
   * every further push only fails again. Replies still go out (they are free).
   */
  | "monthly_limit"
  /** 401/403: the channel access token is wrong or lacks permission. */
  | "unauthorized"
  /** Any other 4xx: the request itself is wrong; sending it again will not help. */
  | "rejected"
  /** 5xx, a timeout or a broken connection: it may or may not have gone through. */
  | "unavailable";

export class LineApiError extends Error {
  constructor(
    readonly kind: LineErrorKind,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
    this.name = "LineApiError";
  }
}

export interface LineApiOptions {
  accessToken: string;
  /** LINE_API_BASE_URL; the SDK keeps only its origin (tests' fakes serve from "/"). */
  baseUrl?: string;
  /** Per call (default 10 s for messages, 3 s for the rest). */
  timeoutMs?: number;
  /** Push attempts on 5xx/timeouts, with the same retry key (default 3). */
  pushAttempts?: number;
  retryDelayMs?: number;
}

/** The account's monthly message limit and what it has sent this month (pushes; replies are free). */
export interface LineMessageQuota {
  /** Null when the account has no limit (`type: "none"`). */
  limit: number | null;
  used: number;
}

export interface LineProfile {
  displayName: string;
  language?: string;
}

export class LineApi {
  private readonly client: messagingApi.MessagingApiClient;
  private readonly timeoutMs: number;
  private readonly pushAttempts: number;
  private readonly retryDelayMs: number;

  constructor(readonly opts: LineApiOptions) {
    this.client = new messagingApi.MessagingApiClient({
      channelAccessToken: opts.accessToken,
      baseURL: opts.baseUrl,
    });
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.pushAttempts = opts.pushAttempts ?? 3;
    this.retryDelayMs = opts.retryDelayMs ?? 500;
  }

  /**
   * Free of push quota, once per event, within about a minute of it. Returns the ids LINE gave
   * the messages (`sentMessages[].id`), which a person's later quote refers to.
   */
  async reply(replyToken: string, messages: LineMessage[]): Promise<string[]> {
    const sent = await this.call(
      "reply",
      () => this.client.replyMessage({ replyToken, messages }),
      this.timeoutMs,
    );
    return sentIds(sent);
  }

  /**
   * A push, sent at most once whatever happens: a 5xx or a timeout is retried with the same
   * retry key, and LINE's 409 for a key it already accepted means the messages went out.
   */
  async push(to: string, messages: LineMessage[], retryKey: string): Promise<PushOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await this.call(
          "push",
          () => this.client.pushMessage({ to, messages }, retryKey),
          this.timeoutMs,
        );
        return { kind: "sent", messageIds: sentIds(sent) };
      } catch (error) {
        // LINE's 409 carries no ids: the first attempt's response (lost) had them.
        if (error instanceof AlreadyAccepted) return { kind: "already_sent", messageIds: [] };
        if (!(error instanceof LineApiError) || error.kind !== "unavailable" || attempt >= this.pushAttempts)
          throw error;
        await sleep(this.retryDelayMs * 3 ** (attempt - 1));
      }
    }
  }

  /** The "…" bubble in a one-to-one chat, 5–60 s in steps of 5; it ends when a message arrives. */
  async showLoading(chatId: string, seconds: number): Promise<void> {
    const loadingSeconds = Math.min(60, Math.max(5, Math.ceil(seconds / 5) * 5));
    await this.call("loading", () => this.client.showLoadingAnimation({ chatId, loadingSeconds }), 3_000);
  }

  /** Null when LINE has no profile for them (not a friend, or blocked the account). */
  async profile(userId: string): Promise<LineProfile | null> {
    try {
      const p = await this.call("profile", () => this.client.getProfile(userId), 3_000);
      return { displayName: p.displayName, language: p.language };
    } catch (error) {
      if (error instanceof LineApiError && error.kind === "rejected") return null;
      throw error;
    }
  }

  /**
   * GET /v2/bot/message/quota and /v2/bot/message/quota/consumption: the month's target limit
   * and the messages counted against it so far.
   *
   * https://developers.line.biz/en/reference/messaging-api/#get-quota
   */
  async messageQuota(): Promise<LineMessageQuota> {
    const [quota, consumption] = await Promise.all([
      this.call("quota", () => this.client.getMessageQuota(), 3_000),
      this.call("quota consumption", () => this.client.getMessageQuotaConsumption(), 3_000),
    ]);
    const limit = QuotaSchema.parse(quota);
    return {
      limit: limit.type === "limited" ? (limit.value ?? 0) : null,
      used: ConsumptionSchema.parse(consumption).totalUsage,
    };
  }

  async botInfo(): Promise<{ userId: string; displayName: string; basicId: string }> {
    return this.call("bot info", () => this.client.getBotInfo(), 3_000);
  }

  // ---- people: member profiles, group names, mark-as-read (line-people) ----

  /**
   * A group or room member's profile: LINE answers it for members who are not friends of the
   * account too (the user-profile endpoint does not). Null when LINE has none.
   *
   * https://developers.line.biz/en/reference/messaging-api/#get-group-member-profile
   */
  async memberProfile(
    chat: { type: "group" | "room"; id: string },
    userId: string,
  ): Promise<LineProfile | null> {
    try {
      const p = await this.call(
        "member profile",
        () =>
          chat.type === "group"
            ? this.client.getGroupMemberProfile(chat.id, userId)
            : this.client.getRoomMemberProfile(chat.id, userId),
        3_000,
      );
      return { displayName: p.displayName };
    } catch (error) {
      if (error instanceof LineApiError && error.kind === "rejected") return null;
      throw error;
    }
  }

  /** A group's name, for the requester that stands for its members who share no user id. */
  async groupName(groupId: string): Promise<string | null> {
    try {
      return (await this.call("group summary", () => this.client.getGroupSummary(groupId), 3_000)).groupName;
    } catch (error) {
      if (error instanceof LineApiError && error.kind === "rejected") return null;
      throw error;
    }
  }

  /**
   * Marks the person's messages up to this one as read (with Chat on in OA Manager they stay
   * unread otherwise). The token comes with each message event and does not expire.
   *
   * https://developers.line.biz/en/docs/messaging-api/mark-as-read/
   */
  async markAsRead(markAsReadToken: string): Promise<void> {
    await this.call("mark as read", () => this.client.markMessagesAsReadByToken({ markAsReadToken }), 3_000);
  }

  private async call<T>(what: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const started = work();
    started.catch(() => undefined); // a call that outlives its timeout must not become an unhandled rejection
    try {
      return await Promise.race([
        started,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(new LineApiError("unavailable", null, `LINE ${what} timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      throw classify(what, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What a push did, with the ids LINE gave the messages when it says (not on a repeated key). */
export interface PushOutcome {
  kind: "sent" | "already_sent";
  messageIds: string[];
}

/** The ids in a reply's or push's answer; an answer without them (an older API) gives none. */
function sentIds(answer: unknown): string[] {
  const parsed = SentMessagesSchema.safeParse(answer);
  return parsed.success ? parsed.data.sentMessages.map((m) => m.id) : [];
}

const QuotaSchema = z.object({ type: z.enum(["none", "limited"]), value: z.number().int().optional() });
const ConsumptionSchema = z.object({ totalUsage: z.number().int() });

const SentMessagesSchema = z.object({ sentMessages: z.array(z.object({ id: z.string().min(1) })) });

/** A push whose retry key LINE had already accepted: delivered before, not again. */
class AlreadyAccepted extends Error {}

function classify(what: string, error: unknown): Error {
  if (error instanceof LineApiError) return error;
  if (!(error instanceof HTTPFetchError)) {
    return new LineApiError(
      "unavailable",
      null,
      `LINE ${what} failed: ${(error as Error)?.message ?? String(error)}`,
    );
  }
  const message = lineMessage(error.body);
  const text = `LINE ${what} answered ${error.status}: ${message}`;
  // LINE's only 409 is "a request with this retry key was already accepted" (the accepted
  // request's id comes in x-line-accepted-request-id).
  if (error.status === 409) return new AlreadyAccepted(text);
  if (error.status === 400 && /invalid reply token/i.test(message))
    return new LineApiError("invalid_reply_token", 400, text);
  if (error.status === 429)
    return new LineApiError(/monthly limit/i.test(message) ? "monthly_limit" : "rate_limited", 429, text);
  if (error.status === 401 || error.status === 403)
    return new LineApiError("unauthorized", error.status, text);
  if (error.status >= 500) return new LineApiError("unavailable", error.status, text);
  return new LineApiError("rejected", error.status, text);
}

function lineMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      message?: string;
      details?: { message?: string; property?: string }[];
    };
    const details = (parsed.details ?? []).map((d) => `${d.property ?? "?"}: ${d.message ?? "?"}`).join("; ");
    return [parsed.message ?? "", details].filter(Boolean).join(" — ") || body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

/**
 * X-Line-Retry-Key for one push: a name-based UUID (version 5) of what the push is, so every
 * attempt of every worker derives the same key and LINE delivers the push once.
 */
export function retryKey(...name: (string | number)[]): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name.join(":")).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** This bot's UUID namespace for retry keys (random once, fixed forever). */
const NAMESPACE = Buffer.from("6f1d2a4c8b3e4f0a9d7c5b1e2a3f4c6d", "hex");
