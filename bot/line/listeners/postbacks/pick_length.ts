import { pickedMessage } from "../../copy.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { rememberPick } from "../../picks.ts";
import { planFor } from "../../plan.ts";
import { respond } from "../deps.ts";

/**
 * A length button: remembered for the topic the person types next, within their plan's
 * maximum (an older button, or one from before a tier change, may offer more).
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("pick_length", async (ctx, { incoming, person, action, lang }) => {
    const plan = await planFor(ctx, incoming.channel, person);
    const words = Math.min(action.words, plan?.tier.maxWords ?? action.words);
    const picks = await rememberPick(ctx, incoming.channel, person.requester, { words });
    await respond(ctx, incoming, person, pickedMessage(lang, picks, plan));
  });
}
