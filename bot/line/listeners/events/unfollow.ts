import type { webhook } from "@line/bot-sdk";
import { chatOf, destinationFor } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { forgetPerson } from "../../people.ts";
import type { Incoming, ListenerDeps } from "../deps.ts";

/**
 * Someone blocked the Official Account (LINE calls it unfollow): nothing can reach their chat
 * any more, so the draft being written there stops (the core's stop: the stream is aborted and
 * the article slot given back), and the bot forgets their picks, language choice and cached
 * profile. Their requester row and its history stay for the console. No reply: unfollow
 * events carry no reply token.
 *
 * https://developers.line.biz/en/reference/messaging-api/#unfollow-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("unfollow", onUnfollow);
}

async function onUnfollow(ctx: ListenerDeps, incoming: Incoming<webhook.UnfollowEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat?.userId) return;
  const result = await ctx.pipeline.converse({
    platform: "LINE",
    eventId: incoming.event.webhookEventId,
    tenant: { externalId: incoming.channel, name: ctx.botName() || undefined },
    requester: { externalId: chat.requester },
    conversation: { platform: "LINE", chatId: chat.id },
    input: { kind: "action", action: "stop" },
    destination: destinationFor(chat, undefined, incoming.receivedAt, "th"),
  });
  await forgetPerson(ctx, incoming.channel, chat);
  if (result.kind === "stopped" && result.generationIds.length)
    ctx.logger.info({ stopped: result.generationIds.length }, "LINE unfollow stopped the drafts in flight");
}
