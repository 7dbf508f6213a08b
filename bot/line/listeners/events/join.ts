import type { webhook } from "@line/bot-sdk";
import { groupHelloMessage } from "../../copy.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { type Incoming, type ListenerDeps, respond } from "../deps.ts";

/**
 * The bot was added to a group or room: say, in Thai and English, that it answers mentions
 * and its name typed, using the name members really see (read from /v2/bot/info at start, or
 * now if the start-up read has not answered yet).
 *
 * https://developers.line.biz/en/reference/messaging-api/#join-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("join", onJoin);
}

async function onJoin(ctx: ListenerDeps, incoming: Incoming<webhook.JoinEvent>): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat) return;
  const name =
    ctx.botName() ||
    (await ctx.api.botInfo().then(
      (info) => info.displayName,
      () => ctx.aliases[0] ?? "",
    ));
  await respond(ctx, incoming, chat, groupHelloMessage(name));
}
