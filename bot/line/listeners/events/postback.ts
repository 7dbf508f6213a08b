import type { webhook } from "@line/bot-sdk";
import type { Language } from "../../../../core/domain.ts";
import { parseAction } from "../../actions.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { type Incoming, type ListenerDeps, profileOf } from "../deps.ts";

/**
 * A quick-reply button was tapped: the postback data says which (listeners/postbacks/ has one
 * listener per action). Buttons answer the person who tapped, in any chat, in the language
 * the button was written in.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("postback", (ctx, incoming) => onPostback(listeners, ctx, incoming));
}

async function onPostback(
  listeners: LineListeners,
  ctx: ListenerDeps,
  incoming: Incoming<webhook.PostbackEvent>,
): Promise<void> {
  const chat = chatOf(incoming.event.source);
  if (!chat?.userId) return;
  const person = { ...chat, userId: chat.userId };
  const parsed = parseAction(incoming.event.postback.data);
  if (!parsed) {
    ctx.logger.info(
      { data: String(incoming.event.postback.data).slice(0, 80) },
      "LINE postback not from this bot; ignored",
    );
    return;
  }
  const lang: Language = parsed.lang ?? (await profileOf(ctx, person.userId))?.lang ?? "th";
  await listeners.onTap(ctx, { incoming, person, action: parsed.action, lang });
}
