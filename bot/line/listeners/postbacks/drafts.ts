import type { ArticleRequest } from "../../../../core/domain.ts";
import { findScopedDraft } from "../../../../core/records/draft-lookup.ts";
import { draftGoneMessage } from "../../copy.ts";
import type { Tap } from "../../ingress/dispatch.ts";
import { submit } from "../../intake.ts";
import { type ListenerDeps, respond } from "../deps.ts";

/**
 * Writes a draft again with a change ("shorter", "another angle"): a new request from the
 * person who tapped, from the request behind the draft above the button — of this LINE
 * channel only (a button from elsewhere finds nothing).
 */
export async function writeAgain(
  ctx: ListenerDeps,
  tap: Tap<{ kind: "shorter" | "angle"; generationId: string }>,
  change: (request: ArticleRequest) => ArticleRequest,
): Promise<void> {
  const { incoming, person, lang } = tap;
  const found = await findScopedDraft(
    ctx.app.db,
    { platform: "LINE", tenantExternalId: incoming.channel },
    tap.action.generationId,
  );
  if (typeof found === "string") return respond(ctx, incoming, person, draftGoneMessage(lang));
  await submit(ctx, incoming, person, lang, { kind: "form", form: { ...change(found.request) } });
}
