import type { App, BlockAction } from "@slack/bolt";
import { ACTIONS, words } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { writeAgain } from "./drafts.ts";

/**
 * "Try again" under a failure apology: the same request once more (the failed one was refunded).
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.retry, async ({ ack, body }) => {
    await writeAgain(deps, body, (r) => ({ changes: {}, note: words(r.language).secondTry }), ack);
  });
}
