import { setTimeout as sleep } from "node:timers/promises";
import {
  ErrorCode,
  LogLevel,
  type Logger as SlackLogger,
  type WebAPICallResult,
  WebClient,
  type WebClientOptions,
} from "@slack/web-api";
import type { Config } from "../../core/config.ts";
import type { Logger } from "../../core/logger.ts";
import { RateBudget } from "./budget.ts";
import type { Message } from "./copy.ts";
import { isDirect } from "./destination.ts";
import type { ChannelPacer } from "./pacer.ts";

/**
 * Web API clients with bounded patience. The SDK's default retry policy waits out 429s and
 * outages for up to ~30 minutes; a chat thread would rather give up, tell the person and let
 * the job retry. And the SDK answers a 429 by pausing its whole queue for Retry-After, so one
 * throttled call would hold back every other call made through that client (once, a cosmetic
 * chat.update in one channel froze every draft in every workspace for 4.4 s): our clients
 * reject rate-limited calls inside the SDK and keep Slack's limits themselves, per workspace,
 * method and conversation (RateBudget). Three profiles:
 *   - interactive: calls made while a person waits (views.open must land within 3 s of the
 *     trigger, ephemeral answers): one quick retry, short timeout; a 429 fails at once;
 *   - delivery: the worker writing a draft: a few retries within ~30 s; a 429 or an exhausted
 *     budget waits (that call only) within the same ~30 s — except for methods with a fallback
 *     (chat.startStream: post plain messages instead), which fail at once;
 *   - cosmetic: status lines and titles (chat.update of a parent's status, setStatus): never
 *     waited for; over budget or 429, the call is dropped (it throws SlackRateLimited, which
 *     the caller ignores), and the next status says more anyway.
 */
export type ClientProfile = "interactive" | "delivery" | "cosmetic";

const INTERACTIVE_RETRIES = { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500, maxRetryTime: 2_500 };

const PROFILES: Record<ClientProfile, Pick<WebClientOptions, "retryConfig" | "timeout">> = {
  interactive: { retryConfig: INTERACTIVE_RETRIES, timeout: 2_500 },
  delivery: {
    retryConfig: {
      retries: 3,
      factor: 2,
      minTimeout: 500,
      maxTimeout: 5_000,
      maxRetryTime: 30_000,
      randomize: true,
    },
    timeout: 10_000,
  },
  cosmetic: { retryConfig: INTERACTIVE_RETRIES, timeout: 5_000 },
};

/** Longest a delivery call waits for Slack's Retry-After or its workspace's budget, in all. */
const DELIVERY_PATIENCE_MS = 30_000;
/** Delivery methods whose caller has another way to go on: a rate limit is theirs to handle at once. */
const HAS_FALLBACK = new Set(["chat.startStream"]);

/**
 * A call Slack (429, `retryAfterMs` from Retry-After) or our own budget for its workspace and
 * method (`by: "budget"`) would not take now. Delivery calls throw it only after waiting as
 * long as they may; cosmetic and interactive calls at once; chat.startStream at once, so the
 * sink posts the draft instead of streaming it.
 */
export class SlackRateLimited extends Error {
  readonly code = "ratelimited";

  constructor(
    readonly method: string,
    readonly retryAfterMs: number,
    readonly by: "slack" | "budget",
  ) {
    super(`Slack ${method} is rate limited for ${retryAfterMs} ms (${by})`);
    this.name = "SlackRateLimited";
  }
}

export type SlackConfig = NonNullable<Config["slack"]>;

export function slackClientOptions(
  slack: SlackConfig,
  logger: Logger,
  profile: ClientProfile,
): WebClientOptions {
  return {
    ...PROFILES[profile],
    // Never pause the client's queue for one call's Retry-After (see above).
    rejectRateLimitedCalls: true,
    // The SDK appends the method name to this: it must end with a slash.
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.endsWith("/") ? slack.apiUrl : `${slack.apiUrl}/` } : {}),
    logger: slackLogger(logger.child({ part: "slack-web-api" })),
  };
}

export function createSlackClient(slack: SlackConfig, logger: Logger, profile: ClientProfile): WebClient {
  return new WebClient(slack.botToken, slackClientOptions(slack, logger, profile));
}

/**
 * The Web API clients of the process: one per workspace and profile, all sharing one budget,
 * so a limit reached in one workspace, method or conversation holds back only that.
 */
export class SlackClients {
  private readonly made = new Map<string, WebClient>();
  readonly budget: RateBudget;

  constructor(
    private readonly slack: SlackConfig,
    private readonly logger: Logger,
    budget?: RateBudget,
  ) {
    this.budget = budget ?? new RateBudget();
  }

  for(teamId: string, profile: ClientProfile): WebClient {
    const key = `${teamId}:${profile}`;
    let client = this.made.get(key);
    if (!client) {
      client = new BudgetedClient(this.slack.botToken, slackClientOptions(this.slack, this.logger, profile), {
        teamId,
        profile,
        budget: this.budget,
      });
      this.made.set(key, client);
    }
    return client;
  }
}

class BudgetedClient extends WebClient {
  constructor(
    token: string,
    options: WebClientOptions,
    private readonly gate: { teamId: string; profile: ClientProfile; budget: RateBudget },
  ) {
    super(token, options);
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    // assistant.threads.* name their conversation channel_id.
    const named = options.channel ?? options.channel_id;
    const channel = typeof named === "string" ? named : undefined;
    const site = { teamId: this.gate.teamId, method, channel };
    const waits = this.gate.profile === "delivery" && !HAS_FALLBACK.has(method);
    const giveUpAt = Date.now() + DELIVERY_PATIENCE_MS;
    for (;;) {
      const held = this.gate.budget.heldFor(site);
      const wait = held || this.gate.budget.reserve(site);
      if (wait > 0) {
        if (!waits || Date.now() + wait > giveUpAt)
          throw new SlackRateLimited(method, wait, held ? "slack" : "budget");
        await sleep(wait);
        continue;
      }
      try {
        return await super.apiCall(method, options);
      } catch (error) {
        if (!(error instanceof Error) || !isSdkRateLimited(error)) throw error;
        const retryAfterMs = Math.max(1, error.retryAfter) * 1000;
        this.gate.budget.hold(site, retryAfterMs);
        if (!waits || Date.now() + retryAfterMs > giveUpAt)
          throw new SlackRateLimited(method, retryAfterMs, "slack");
      }
    }
  }
}

function isSdkRateLimited(error: Error): error is Error & { retryAfter: number } {
  return (
    "code" in error &&
    error.code === ErrorCode.RateLimitedError &&
    "retryAfter" in error &&
    typeof error.retryAfter === "number"
  );
}

/** The SDKs' logger interface over our pino logger (one way to log). */
export function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(" ");
  return {
    debug: (...msg) => logger.debug(text(msg)),
    info: (...msg) => logger.debug(text(msg)), // the SDKs are chatty at info; ours is debug
    warn: (...msg) => logger.warn(text(msg)),
    error: (...msg) => logger.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** The `error` code of a Web API failure (`ratelimited`, `message_not_in_streaming_state`...), or null. */
export function slackErrorCode(error: unknown): string | null {
  if (error instanceof SlackRateLimited) return "ratelimited";
  const e = error as { code?: string; data?: { error?: string } } | null;
  if (e?.data?.error) return e.data.error;
  if (e?.code === "slack_webapi_rate_limited_error") return "ratelimited";
  return null;
}

/** Where a person asked, for answers only they should see. */
export interface ReplyTo {
  /** The conversation they wrote in; null when there is none (a global shortcut). */
  channel: string | null;
  threadTs?: string;
  user: string;
}

/**
 * What Slack answers when the app cannot post in a conversation: a DM between two people (where
 * `/article` can be typed, but the app is no member), a private channel it was never invited
 * to, an archived one, a thread that is gone.
 */
export const CANNOT_POST = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "restricted_action",
  "cannot_reply_to_message",
  "thread_not_found",
]);

/**
 * Answers for one person (guidance, refusals, notes), never lost: an ephemeral message where
 * they asked (a plain one in their DM with the app, when they asked there), or — when the app
 * cannot post where they asked — a message in their DM with the app (chat.postMessage to a
 * user id opens it). A rate limit or an outage is logged: the answer is not worth a retry.
 */
export async function tellPrivately(
  client: WebClient,
  pacer: ChannelPacer,
  to: ReplyTo,
  message: Message,
  logger: Logger,
): Promise<void> {
  try {
    if (to.channel && (await sayWhereAsked(client, pacer, { ...to, channel: to.channel }, message))) return;
    await pacer.run(to.user, () => client.chat.postMessage({ channel: to.user, ...message }));
  } catch (error) {
    logger.warn(
      { code: slackErrorCode(error) ?? (error as Error).message, user: to.user },
      "could not answer a slack user",
    );
  }
}

/** True once said in the conversation they asked in; false when the app cannot post there. */
async function sayWhereAsked(
  client: WebClient,
  pacer: ChannelPacer,
  to: ReplyTo & { channel: string },
  message: Message,
): Promise<boolean> {
  const { channel, threadTs } = to;
  try {
    if (isDirect(channel))
      await pacer.run(channel, () => client.chat.postMessage({ channel, thread_ts: threadTs, ...message }));
    else await client.chat.postEphemeral({ channel, user: to.user, thread_ts: threadTs, ...message });
    return true;
  } catch (error) {
    const code = slackErrorCode(error);
    // An ephemeral message is refused for more reasons (the person left the channel): any of them means the DM.
    if (code && code !== "ratelimited" && (CANNOT_POST.has(code) || !isDirect(channel))) return false;
    throw error;
  }
}
