import { pickedMessage } from "../../copy.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { rememberPick } from "../../picks.ts";
import { planFor } from "../../plan.ts";
import { respond } from "../deps.ts";

/**
 * An industry button: remembered for the topic the person types next.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("pick_industry", async (ctx, { incoming, person, action, lang }) => {
    const picks = await rememberPick(ctx, incoming.channel, person.requester, { industry: action.industry });
    await respond(
      ctx,
      incoming,
      person,
      pickedMessage(lang, picks, await planFor(ctx, incoming.channel, person)),
    );
  });
}
