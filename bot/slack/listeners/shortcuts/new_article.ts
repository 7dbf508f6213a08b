import type { App } from "@slack/bolt";
import { articleModal } from "../../modal.ts";
import { type ListenerDeps, LOCALE_WAIT_MS } from "../deps.ts";

export const NEW_ARTICLE_SHORTCUT = "new_article";

/**
 * The global shortcut "New article" (lightning menu / search): the same form as /article; with
 * no channel to come from, the draft arrives in the person's DM with the app.
 * @see https://docs.slack.dev/interactivity/implementing-shortcuts
 */
export function register(app: App, { desk }: ListenerDeps): void {
  app.shortcut({ callback_id: NEW_ARTICLE_SHORTCUT, type: "shortcut" }, async ({ shortcut, ack, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? shortcut.user.team_id;
    const person = teamId
      ? await desk.languageOf(teamId, shortcut.user.id, { timeoutMs: LOCALE_WAIT_MS })
      : "en";
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: articleModal({ channel: null }, { person }),
    });
  });
}
