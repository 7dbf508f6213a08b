import type { App, BlockAction } from "@slack/bolt";
import { ACTIONS } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { changeFromButton } from "./drafts.ts";

/**
 * "Regenerate": this draft rewritten from another angle (the next tone: executive → visionary →
 * practical → analytical), keeping its topic and facts — a new version in the same thread, a
 * revision (no article slot), never the cached draft.
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.regenerate, async ({ ack, body, client }) => {
    await changeFromButton(deps, body, client, "another_angle", ack);
  });
}
