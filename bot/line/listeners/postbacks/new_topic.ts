import { newTopicMessage } from "../../copy.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { planFor } from "../../plan.ts";
import { respond } from "../deps.ts";

/**
 * "New topic": asks what to write next, with the industry and length buttons.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("new_topic", (ctx, { incoming, person, lang }) =>
    planFor(ctx, incoming.channel, person).then((plan) =>
      respond(ctx, incoming, person, newTopicMessage(lang, plan)),
    ),
  );
}
