import type { webhook } from "@line/bot-sdk";
import { groupHelloMessage } from "../../copy.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { type Incoming, type ListenerDeps, respond } from "../deps.ts";

/**
 * The bot was added to a group or room: say, in Thai and English, that it answers mentions.
 *
 * https://developers.line.biz/en/reference/messaging-api/#join-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("join", onJoin);
}

async function onJoin(ctx: ListenerDeps, incoming: Incoming<webhook.JoinEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat) return;
  const th = groupHelloMessage("th");
  const en = groupHelloMessage("en");
  const both = th.type === "text" && en.type === "text" ? { ...th, text: `${th.text}\n\n${en.text}` } : th;
  await respond(ctx, incoming, chat, both);
}
