import { findScopedDraft } from "../../../../core/records/draft-lookup.ts";
import { draftGoneMessage } from "../../copy.ts";
import type { Tap } from "../../ingress/dispatch.ts";
import { submit } from "../../intake.ts";
import { planFor } from "../../plan.ts";
import { type ListenerDeps, respond } from "../deps.ts";

/**
 * A follow-up button under a draft ("shorter", "another angle"): a revision of the version the
 * button sits under, posted into the same chat. Single-use: the core keys the revision on the
 * action and that version, so a double tap (or the same button tapped again) makes one
 * revision. A version of another LINE channel, or no longer there, finds nothing.
 */
export async function revise(
  ctx: ListenerDeps,
  tap: Tap<{ kind: "shorter" | "angle"; generationId: string }>,
): Promise<void> {
  const { incoming, person, lang, action } = tap;
  const found = await findScopedDraft(
    ctx.app.db,
    { platform: "LINE", tenantExternalId: incoming.channel },
    action.generationId,
  );
  if (typeof found === "string")
    return respond(
      ctx,
      incoming,
      person,
      draftGoneMessage(lang, await planFor(ctx, incoming.channel, person)),
    );
  await submit(ctx, incoming, person, lang, {
    kind: "action",
    action: action.kind === "shorter" ? "shorter" : "another_angle",
    generationId: found.id,
  });
}
