import { guidance } from "../../../../core/request/guidance.ts";
import type { MenuItem } from "../../actions.ts";
import { guidanceMessage, languageChosenMessage, newTopicMessage } from "../../copy.ts";
import type { LineListeners, Tap } from "../../ingress/dispatch.ts";
import { submit } from "../../intake.ts";
import { chooseLanguage } from "../../people.ts";
import { planFor } from "../../plan.ts";
import { type ListenerDeps, respond } from "../deps.ts";

/**
 * The rich menu (`npm run line:richmenu`): New article (what to send, with the choices their
 * plan allows), My quota (the core's usage answer, as for "how many do I have left?"), Help,
 * and ภาษา/Language, which switches the language the bot speaks to them and remembers it.
 *
 * https://developers.line.biz/en/docs/messaging-api/using-rich-menus/
 */
export function register(listeners: LineListeners): void {
  listeners.postback("menu", onMenu);
}

async function onMenu(ctx: ListenerDeps, tap: Tap<{ kind: "menu"; item: MenuItem }>): Promise<void> {
  const { incoming, person, lang } = tap;
  switch (tap.action.item) {
    case "new":
      return respond(
        ctx,
        incoming,
        person,
        newTopicMessage(lang, await planFor(ctx, incoming.channel, person)),
      );
    case "help":
      return respond(
        ctx,
        incoming,
        person,
        guidanceMessage(guidance("help", lang), await planFor(ctx, incoming.channel, person)),
      );
    case "quota":
      await submit(ctx, incoming, person, lang, { kind: "action", action: "usage", language: lang });
      return;
    case "language": {
      const next = lang === "th" ? "en" : "th";
      await chooseLanguage(ctx, incoming.channel, person, next);
      return respond(ctx, incoming, person, languageChosenMessage(next));
    }
  }
}
