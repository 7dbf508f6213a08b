import type { App, BlockAction } from "@slack/bolt";
import { ACTIONS } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { changeFromButton } from "./drafts.ts";

/**
 * "Shorten": this draft condensed to about half its length (never under the minimum article
 * length) — a new version in the same thread, a revision (no article slot).
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.shorten, async ({ ack, body, client }) => {
    await changeFromButton(deps, body, client, "shorter", ack);
  });
}
