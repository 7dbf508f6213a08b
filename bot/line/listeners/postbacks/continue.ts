import { findScopedDraft } from "../../../../core/records/draft-lookup.ts";
import { draftGoneMessage } from "../../copy.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { respond } from "../deps.ts";

/**
 * "Continue reading" under a draft that did not fit its first reply (or was not ready by the
 * token's deadline): the tap's fresh reply token carries the next part, free of push quota.
 * One tap at a time per draft; a draft of another LINE channel finds nothing.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-event
 */
export function register(listeners: LineListeners): void {
  listeners.postback("continue", async (ctx, { incoming, person, action, lang }) => {
    const found = await findScopedDraft(
      ctx.app.db,
      { platform: "LINE", tenantExternalId: incoming.channel },
      action.generationId,
    );
    if (typeof found === "string") return respond(ctx, incoming, person, draftGoneMessage(lang));
    const replyToken = incoming.event.replyToken;
    if (!replyToken || !ctx.continueDraft) return;
    const lock = `continue:${found.id}`;
    if (!(await ctx.memory.claim(lock, 90))) return; // a double tap: the first one answers
    try {
      await ctx.continueDraft({
        generationId: found.id,
        chat: person,
        replyToken,
        receivedAt: incoming.receivedAt,
        lang,
      });
    } finally {
      await ctx.memory.delete(lock);
    }
  });
}
