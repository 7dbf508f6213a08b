import type { webhook } from "@line/bot-sdk";
import { chatOf } from "../destination.ts";
import { groupHelloMessage, newTopicMessage } from "../replies.ts";
import { type Incoming, type LineContext, profileOf, respond } from "./context.ts";

/**
 * Someone added the Official Account as a friend: greet them with what the bot does, in the
 * language of their LINE profile.
 *
 * https://developers.line.biz/en/reference/messaging-api/#follow-event
 */
export async function onFollow(ctx: LineContext, incoming: Incoming<webhook.FollowEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat?.userId) return;
  const lang = (await profileOf(ctx, chat.userId))?.lang ?? "th";
  await respond(ctx, incoming, chat, newTopicMessage(lang));
}

/**
 * The bot was added to a group or room: say, in Thai and English, that it answers mentions.
 *
 * https://developers.line.biz/en/reference/messaging-api/#join-event
 */
export async function onJoin(ctx: LineContext, incoming: Incoming<webhook.JoinEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat) return;
  const th = groupHelloMessage("th");
  const en = groupHelloMessage("en");
  const both = th.type === "text" && en.type === "text" ? { ...th, text: `${th.text}\n\n${en.text}` } : th;
  await respond(ctx, incoming, chat, both);
}
