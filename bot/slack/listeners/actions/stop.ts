import type { App, BlockAction } from "@slack/bolt";
import { ACTIONS } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { changeFromButton } from "./drafts.ts";

/**
 * "Stop" on a draft being written: the stream is aborted, what was posted is marked stopped and
 * the article slot (or the revision) is given back.
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.stop, async ({ ack, body, client }) => {
    await changeFromButton(deps, body, client, "stop", ack);
  });
}
