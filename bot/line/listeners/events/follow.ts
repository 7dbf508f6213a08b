import type { webhook } from "@line/bot-sdk";
import { newTopicMessage } from "../../copy.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { type Incoming, type ListenerDeps, profileOf, respond } from "../deps.ts";

/**
 * Someone added the Official Account as a friend: greet them with what the bot does, in the
 * language of their LINE profile.
 *
 * https://developers.line.biz/en/reference/messaging-api/#follow-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("follow", onFollow);
}

async function onFollow(ctx: ListenerDeps, incoming: Incoming<webhook.FollowEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat?.userId) return;
  const lang = (await profileOf(ctx, chat.userId))?.lang ?? "th";
  await respond(ctx, incoming, chat, newTopicMessage(lang));
}
