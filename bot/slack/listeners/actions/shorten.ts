import type { App, BlockAction } from "@slack/bolt";
import { shorterTarget } from "../../../../core/request/rules.ts";
import { ACTIONS, words } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { writeAgain } from "./drafts.ts";

/**
 * "Shorten": the same brief at half the length (never under the minimum article length).
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.shorten, async ({ ack, body }) => {
    await ack();
    await writeAgain(deps, body, (r) => {
      const targetWords = shorterTarget(r.targetWords);
      return { changes: { targetWords }, note: words(r.language).shorter(targetWords) };
    });
  });
}
