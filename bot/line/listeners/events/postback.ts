import type { webhook } from "@line/bot-sdk";
import type { Language } from "../../../../core/domain.ts";
import { parseAction } from "../../actions.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { languageFor } from "../../people.ts";
import type { Incoming, ListenerDeps } from "../deps.ts";

/**
 * A button was tapped (a quick reply, or the rich menu): the postback data says which (listeners/postbacks/ has one
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
  const person = chatOf(incoming.event.source);
  if (!person) return;
  const parsed = parseAction(incoming.event.postback.data);
  if (!parsed) {
    ctx.logger.info(
      { data: String(incoming.event.postback.data).slice(0, 80) },
      "LINE postback not from this bot; ignored",
    );
    return;
  }
  // A button written in a language answers in it; the rich menu's buttons carry none.
  const lang: Language = parsed.lang ?? (await languageFor(ctx, incoming.channel, person));
  await listeners.onTap(ctx, { incoming, person, action: parsed.action, lang });
}
