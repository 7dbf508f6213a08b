import { castVote, UnknownDraft } from "../../../../core/quality/feedback.ts";
import { findScopedDraft } from "../../../../core/records/draft-lookup.ts";
import { draftGoneMessage, text } from "../../copy.ts";
import { VOTE_COPY } from "../../delivery-copy.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { respond } from "../deps.ts";

/**
 * 👍 / 👎 on a draft's result card: one vote per person per draft (voting again changes it),
 * through the core feedback model the console's quality pages read.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-event
 */
export function register(listeners: LineListeners): void {
  listeners.postback("vote", async (ctx, { incoming, person, action, lang }) => {
    const found = await findScopedDraft(
      ctx.app.db,
      { platform: "LINE", tenantExternalId: incoming.channel },
      action.generationId,
    );
    if (typeof found === "string") return respond(ctx, incoming, person, draftGoneMessage(lang));
    try {
      await castVote(ctx.app.db, {
        generationId: found.id,
        platform: "LINE",
        voterId: person.requester, // an unnamed group member votes as their group (decision 104)
        vote: action.vote === "up" ? "UP" : "DOWN",
      });
    } catch (error) {
      if (!(error instanceof UnknownDraft)) throw error;
      return respond(ctx, incoming, person, draftGoneMessage(lang));
    }
    await respond(ctx, incoming, person, text(VOTE_COPY.thanks[lang]));
  });
}
