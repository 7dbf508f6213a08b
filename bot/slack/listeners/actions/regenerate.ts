import type { App, BlockAction } from "@slack/bolt";
import { nextTone } from "../../../../core/request/rules.ts";
import { ACTIONS, words } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { writeAgain } from "./drafts.ts";

/**
 * "Regenerate": the same brief from a new angle (the next tone: executive → visionary →
 * practical → analytical), so it is a new draft rather than the cached one. Counts as a new
 * article against the quota of whoever clicked.
 * @see https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.regenerate, async ({ ack, body }) => {
    await ack();
    await writeAgain(deps, body, (r) => {
      const tone = nextTone(r.tone);
      return { changes: { tone }, note: words(r.language).newAngle(tone) };
    });
  });
}
