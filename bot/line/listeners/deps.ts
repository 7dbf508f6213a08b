import type { webhook } from "@line/bot-sdk";
import type { AppContext } from "../../../core/app.ts";
import type { Language } from "../../../core/domain.ts";
import type { Logger } from "../../../core/logger.ts";
import type { Pipeline } from "../../../core/pipeline/index.ts";
import type { ShortMemory } from "../../shared/memory.ts";
import { type LineApi, LineApiError, type LineMessage, retryKey } from "../client.ts";
import type { LineChat } from "../destination.ts";

/** What every LINE event listener gets: the core, the Messaging API and short-term memory. */
export interface ListenerDeps {
  app: AppContext;
  pipeline: Pipeline;
  api: LineApi;
  memory: ShortMemory;
  logger: Logger;
  /** The Official Account's name (from /v2/bot/info), for the tenant row; empty until known. */
  botName(): string;
  /** LINE_BOT_ALIASES: other names a typed message may call the bot by. */
  aliases: readonly string[];
  /** Sends the next part of a draft by a "Continue reading" tap's reply token (continuation.ts). */
  continueDraft?(tap: {
    generationId: string;
    chat: LineChat;
    replyToken: string;
    receivedAt: number;
    lang: Language;
  }): Promise<unknown>;
}

/** One event of a webhook batch, with what the batch said around it. */
export interface Incoming<E extends webhook.Event = webhook.Event> {
  event: E;
  /** The webhook's `destination`: the bot's user id, which is the LINE channel (the tenant). */
  channel: string;
  receivedAt: number;
}

/**
 * LINE redelivers unacknowledged events with the same webhookEventId for up to a day or so;
 * a handled event's key is kept 24 hours, so a follow, a postback or a help answer (which
 * cost nothing to repeat but push quota) is answered once.
 */
export const EVENT_TTL_SECONDS = 24 * 3600;

/**
 * Answers an event: with its reply token while it is good, else by push (with a retry key
 * derived from the event, so a redelivered or retried answer still arrives once).
 */
export async function respond(
  ctx: ListenerDeps,
  incoming: Incoming,
  chat: LineChat,
  message: LineMessage,
): Promise<void> {
  const token = "replyToken" in incoming.event ? incoming.event.replyToken : undefined;
  if (token) {
    try {
      await ctx.api.reply(token, [message]);
      return;
    } catch (error) {
      if (!(error instanceof LineApiError) || error.kind !== "invalid_reply_token") throw error;
    }
  }
  await ctx.api.push(chat.id, [message], retryKey(incoming.event.webhookEventId, "answer"));
}

/** What people may call the bot in a group: its LINE name, then the configured aliases. */
export function botNames(ctx: ListenerDeps): string[] {
  const name = ctx.botName();
  return [...(name ? [name] : []), ...ctx.aliases];
}
