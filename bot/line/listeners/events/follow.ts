import type { webhook } from "@line/bot-sdk";
import { newTopicMessage } from "../../copy.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { languageFor } from "../../people.ts";
import { planFor } from "../../plan.ts";
import { type Incoming, type ListenerDeps, respond } from "../deps.ts";

/**
 * Someone added the Official Account as a friend: greet them with what the bot does, in the
 * language of their LINE profile, with the lengths their plan allows.
 *
 * https://developers.line.biz/en/reference/messaging-api/#follow-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("follow", onFollow);
}

async function onFollow(ctx: ListenerDeps, incoming: Incoming<webhook.FollowEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat?.userId) return;
  const lang = await languageFor(ctx, incoming.channel, chat);
  await respond(ctx, incoming, chat, newTopicMessage(lang, await planFor(ctx, incoming.channel, chat)));
}
