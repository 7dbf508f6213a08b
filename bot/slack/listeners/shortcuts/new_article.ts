import type { App } from "@slack/bolt";
import { articleModal } from "../../modal.ts";
import type { ListenerDeps } from "../deps.ts";

export const NEW_ARTICLE_SHORTCUT = "new_article";

/**
 * The global shortcut "New article" (lightning menu / search): the same form as /article; with
 * no channel to come from, the draft arrives in the person's DM with the app.
 * @see https://docs.slack.dev/interactivity/implementing-shortcuts
 */
export function register(app: App, _deps: ListenerDeps): void {
  app.shortcut({ callback_id: NEW_ARTICLE_SHORTCUT, type: "shortcut" }, async ({ shortcut, ack, client }) => {
    await ack();
    await client.views.open({ trigger_id: shortcut.trigger_id, view: articleModal({ channel: null }) });
  });
}
