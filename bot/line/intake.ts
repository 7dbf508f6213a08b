import type { Language } from "../../core/domain.ts";
import type { ConversationMessage, ConverseResult } from "../../core/pipeline/index.ts";
import type { LineMessage } from "./client.ts";
import {
  noDraftMessage,
  revisionsRefusalMessage,
  smallTalkMessage,
  stoppedMessage,
  usageMessage,
} from "./conversation-copy.ts";
import { blockedMessage, guidanceMessage, refusalMessage } from "./copy.ts";
import { destinationFor, type LineChat } from "./destination.ts";
import { botNames, type Incoming, type ListenerDeps, respond } from "./listeners/deps.ts";
import { planFor } from "./plan.ts";

/**
 * Hands a message to the core's conversation (the chat — user, group or room — is the
 * conversation; a quoted bubble names its draft) and answers what it decided. A new draft or a
 * revision shows the loading animation (the draft itself, and a "waiting its turn" notice,
 * come from the worker's sink, which owns the event's reply token from then on); small talk,
 * usage, stop, help and refusals are answered here at once by the free reply, in the person's
 * language. Returns whether a draft or revision was queued.
 */
export async function submit(
  ctx: ListenerDeps,
  incoming: Incoming,
  chat: LineChat,
  lang: Language,
  input: ConversationMessage["input"],
  opts: { displayName?: string; quotedMessageId?: string; quoteToken?: string } = {},
): Promise<boolean> {
  const { event } = incoming;
  const replyToken = "replyToken" in event ? event.replyToken : undefined;
  const result = await ctx.pipeline.converse({
    platform: "LINE",
    eventId: event.webhookEventId,
    tenant: { externalId: incoming.channel, name: ctx.botName() || undefined },
    requester: { externalId: chat.requester, displayName: opts.displayName },
    conversation: { platform: "LINE", chatId: chat.id, quotedMessageId: opts.quotedMessageId },
    input,
    destination: destinationFor(chat, replyToken, incoming.receivedAt, lang, opts.quoteToken),
    botNames: botNames(ctx),
  });
  const answer = await answerFor(ctx, incoming.channel, chat, result, lang);
  if (answer) {
    await respond(ctx, incoming, chat, answer);
    return false;
  }
  const queued = result.kind === "queued" || result.kind === "queued_revision" || result.kind === "waiting";
  // Feedback at once; the sink renews it while the draft is written.
  if (queued && chat.type === "user")
    ctx.api
      .showLoading(chat.id, 60)
      .catch((err) => ctx.logger.debug({ err }, "LINE loading animation not shown"));
  return queued;
}

/**
 * What to answer at once, or null when the worker's sink speaks next (or nothing is due).
 * Guidance offers lengths within the requester's plan; a refusal ends with the workspace's
 * upgrade line — both read the plan only on these paths, never on the way to a draft.
 */
async function answerFor(
  ctx: ListenerDeps,
  channel: string,
  chat: LineChat,
  result: ConverseResult,
  lang: Language,
): Promise<LineMessage | null> {
  switch (result.kind) {
    case "queued":
    case "queued_revision":
    case "waiting":
    case "duplicate": // a redelivery or a second tap: the first one is already being answered
      return null;
    case "small_talk":
      return smallTalkMessage(lang);
    case "usage":
      return usageMessage(result, lang, ctx.app.config.quotaTimeZone);
    case "stopped":
      return stoppedMessage(lang, result.generationIds.length > 0);
    case "help":
    case "guidance":
      return guidanceMessage(result.guidance, await planFor(ctx, channel, chat));
    case "no_draft":
      return noDraftMessage(lang, await planFor(ctx, channel, chat));
    case "refused":
      return result.refusal.limit === "revisions"
        ? revisionsRefusalMessage(result.refusal, lang)
        : refusalMessage(
            result.refusal,
            lang,
            ctx.app.config.quotaTimeZone,
            new Date(),
            (await planFor(ctx, channel, chat))?.upgradeNote,
          );
    case "blocked":
      return blockedMessage(lang);
  }
}
