import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../core/logger.ts";
import { slackErrorCode } from "./client.ts";
import { isDirect } from "./destination.ts";
import type { Message } from "./messages.ts";
import type { ChannelPacer } from "./pacer.ts";

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
