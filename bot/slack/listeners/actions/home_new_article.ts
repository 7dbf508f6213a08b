import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { HOME_NEW_ARTICLE } from "../../home.ts";
import { articleModal } from "../../modal.ts";
import type { ListenerDeps } from "../deps.ts";

/**
 * "New article" on the App Home tab: the same form as /article, in the language the tab was
 * published in (the button carries it: views.open must come within 3 s of the click). With no
 * channel to come from, the draft arrives in the person's DM with the app.
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, _deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(HOME_NEW_ARTICLE, async ({ ack, body, client }) => {
    await ack();
    const person = body.actions[0]?.value === "th" ? "th" : "en";
    await client.views.open({
      trigger_id: body.trigger_id,
      view: articleModal({ channel: null }, { person }),
    });
  });
}
