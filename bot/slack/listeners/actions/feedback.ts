import type { App, BlockAction } from "@slack/bolt";
import { z } from "zod";
import { castVote, UnknownDraft } from "../../../../core/quality/feedback.ts";
import { ACTIONS } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { clickOf, findDraft } from "./drafts.ts";

/**
 * 👍/👎 under a draft (feedback_buttons in a context_actions block): one vote per person per
 * version, stored with the core's feedback model; clicking the other one changes the vote.
 * Slack shows the pressed button itself, so nothing is posted.
 * @see https://docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element
 */
export function register(app: App, { app: ctx }: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.feedback, async ({ ack, body }) => {
    await ack();
    const click = clickOf(body);
    const vote = FeedbackValue.safeParse(
      body.actions[0] && "value" in body.actions[0] ? body.actions[0].value : "",
    );
    if (!vote.success) return;
    const [, side, generationId] = vote.data;
    const found = await findDraft(ctx, generationId, click.teamId);
    if (typeof found === "string") return; // another workspace's draft, or gone: nothing to count
    try {
      await castVote(ctx.db, {
        generationId: found.id,
        platform: "SLACK",
        voterId: click.user,
        vote: side === "up" ? "UP" : "DOWN",
      });
    } catch (error) {
      if (!(error instanceof UnknownDraft)) throw error;
    }
  });
}

/** "up:<generation id>" or "down:<generation id>", as feedbackBlock writes them. */
const FeedbackValue = z
  .string()
  .regex(/^(up|down):[A-Za-z0-9_-]{1,64}$/)
  .transform((v) => {
    const [side, id] = v.split(":");
    return [v, side, id ?? ""] as const;
  });
