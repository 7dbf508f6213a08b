import { LogLevel, type Logger as SlackLogger, WebClient, type WebClientOptions } from "@slack/web-api";
import type { Config } from "../../core/config.ts";
import type { Logger } from "../../core/logger.ts";
import type { Message } from "./copy.ts";
import { isDirect } from "./destination.ts";
import type { ChannelPacer } from "./pacer.ts";

/**
 * Web API clients with bounded patience. The SDK's default retry policy waits out 429s and
 * outages for up to ~30 minutes; a chat thread would rather give up, tell the person and let
 * the job retry. Two profiles:
 *   - interactive: calls made while a person waits (views.open must land within 3 s of the
 *     trigger, ephemeral answers): one quick retry, short timeout;
 *   - delivery: the worker posting a draft: a few retries within ~30 s.
 */
export type ClientProfile = "interactive" | "delivery";

const PROFILES: Record<ClientProfile, Pick<WebClientOptions, "retryConfig" | "timeout">> = {
  interactive: {
    retryConfig: { retries: 1, factor: 1, minTimeout: 200, maxTimeout: 500, maxRetryTime: 2_500 },
    timeout: 2_500,
  },
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
};

export type SlackConfig = NonNullable<Config["slack"]>;

export function slackClientOptions(
  slack: SlackConfig,
  logger: Logger,
  profile: ClientProfile,
): WebClientOptions {
  return {
    ...PROFILES[profile],
    // The SDK appends the method name to this: it must end with a slash.
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl.endsWith("/") ? slack.apiUrl : `${slack.apiUrl}/` } : {}),
    logger: slackLogger(logger.child({ part: "slack-web-api" })),
  };
}

export function createSlackClient(slack: SlackConfig, logger: Logger, profile: ClientProfile): WebClient {
  return new WebClient(slack.botToken, slackClientOptions(slack, logger, profile));
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
 * Answers for one person (guidance, refusals, notes): an ephemeral message where they asked,
 * a plain message in their DM with the app, or the DM when the channel cannot take ephemeral
 * messages from the app (it was never invited there).
 */
export async function tellPrivately(
  client: WebClient,
  pacer: ChannelPacer,
  to: ReplyTo,
  message: Message,
  logger: Logger,
): Promise<void> {
  try {
    if (to.channel && !isDirect(to.channel)) {
      try {
        await client.chat.postEphemeral({
          channel: to.channel,
          user: to.user,
          thread_ts: to.threadTs,
          ...message,
        });
        return;
      } catch (error) {
        const code = slackErrorCode(error);
        if (!code || code === "ratelimited") throw error;
      }
    }
    const inSameDm = to.channel && isDirect(to.channel);
    const channel = inSameDm ? to.channel! : to.user;
    await pacer.run(channel, () =>
      client.chat.postMessage({ channel, thread_ts: inSameDm ? to.threadTs : undefined, ...message }),
    );
  } catch (error) {
    logger.warn(
      { code: slackErrorCode(error) ?? (error as Error).message, user: to.user },
      "could not answer a slack user",
    );
  }
}
