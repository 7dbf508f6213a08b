import type { WebClient } from "@slack/web-api";
import type { Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import { lastGraphemeBoundary, lastWordBoundary } from "../../core/text/words.ts";
import { suggestedPrompts } from "./copy.ts";

/**
 * Slack's agent messaging experience (manifest `agent_view`): the person's DM with the app is
 * where they talk to it, each message starting its own thread. Opening the DM pins suggested
 * prompts; a thread that starts a draft is titled with its topic. Both are cosmetic: a failure
 * is logged and the conversation goes on.
 * @see https://docs.slack.dev/ai/migrating-to-agent-messaging
 */

/** Slack shows a short line for a thread; longer topics are cut between words. */
export const THREAD_TITLE_MAX = 80;

/**
 * Prompts for the DM that was opened. No thread_ts: under agent_view the prompts sit at the top
 * of the conversation, and a call that names a thread silently does nothing.
 * @see https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts
 */
export async function suggestPrompts(
  client: WebClient,
  channel: string,
  language: Language,
  logger: Logger,
): Promise<void> {
  const { title, prompts } = suggestedPrompts(language);
  try {
    await client.assistant.threads.setSuggestedPrompts({ channel_id: channel, title, prompts });
  } catch (error) {
    logger.info({ err: errorText(error), channel }, "could not set suggested prompts");
  }
}

/** @see https://docs.slack.dev/reference/methods/assistant.threads.setTitle */
export async function titleThread(
  client: WebClient,
  thread: { channel: string; threadTs: string },
  topic: string,
  logger: Logger,
): Promise<void> {
  try {
    await client.assistant.threads.setTitle({
      channel_id: thread.channel,
      thread_ts: thread.threadTs,
      title: threadTitle(topic),
    });
  } catch (error) {
    logger.info({ err: errorText(error), channel: thread.channel }, "could not title a slack thread");
  }
}

export function threadTitle(topic: string): string {
  const text = topic.trim().replace(/\s+/g, " ");
  if (text.length <= THREAD_TITLE_MAX) return text;
  const max = THREAD_TITLE_MAX - 1;
  const cut = lastWordBoundary(text, max) || lastGraphemeBoundary(text, max);
  return `${text.slice(0, cut).trimEnd()}…`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
