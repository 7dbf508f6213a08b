import type { BlockAction, ButtonAction } from "@slack/bolt";
import type { AppContext } from "../../../../core/app.ts";
import type { ArticleRequest } from "../../../../core/domain.ts";
import { findScopedDraft } from "../../../../core/records/draft-lookup.ts";
import { plain, words } from "../../copy.ts";
import { formOf } from "../../modal.ts";
import { readSlackDeliveryState, type SlackDeliveryState } from "../../sink.ts";
import type { ListenerDeps } from "../deps.ts";

/** The draft a button under it refers to (its value is the generation id), for this workspace only. */
export interface FoundDraft {
  id: string;
  request: ArticleRequest;
  draft: string | null;
  delivery: SlackDeliveryState;
}

export async function findDraft(
  app: AppContext,
  generationId: string | undefined,
  teamId: string,
): Promise<FoundDraft | "gone" | "not_yours"> {
  const found = await findScopedDraft(app.db, { platform: "SLACK", tenantExternalId: teamId }, generationId);
  if (typeof found === "string") return found;
  return {
    id: found.id,
    request: found.request,
    draft: found.draft,
    delivery: readSlackDeliveryState(found.deliveryState),
  };
}

/** Who clicked, where, and on which draft. */
export function clickOf(body: BlockAction) {
  const action = body.actions[0] as ButtonAction | undefined;
  const container = body.container as { channel_id?: string; message_ts?: string; thread_ts?: string };
  const channel = body.channel?.id ?? container.channel_id ?? null;
  return {
    generationId: action?.value,
    teamId: body.team?.id ?? body.user.team_id ?? "",
    user: body.user.id,
    channel,
    /** The thread the clicked message is in. */
    threadTs: container.thread_ts ?? body.message?.thread_ts ?? container.message_ts,
    trigger: body.trigger_id,
  };
}

/**
 * Writes a draft again with some changes (a new angle, shorter, or unchanged after a failure):
 * a new request from the person who clicked, counted against their quota, in a new thread
 * beside the old one (or in the same outer thread when the first was asked inside one).
 */
export async function writeAgain(
  { desk, app }: ListenerDeps,
  body: BlockAction,
  change: (request: ArticleRequest) => { changes: Partial<ArticleRequest>; note: string },
): Promise<void> {
  const click = clickOf(body);
  const found = await findDraft(app, click.generationId, click.teamId);
  const replyTo = { channel: click.channel, threadTs: click.threadTs, user: click.user };
  if (typeof found === "string")
    return desk.tell(replyTo, plain(words("en")[found === "gone" ? "gone" : "notYours"]));
  const { changes, note } = change(found.request);
  const d = found.delivery;
  const outerThread = d.rootTs && d.rootTs !== d.parentTs ? d.rootTs : undefined;
  await desk.take({
    eventId: `action:${click.trigger}`,
    teamId: click.teamId,
    userId: click.user,
    input: { kind: "form", form: formOf(found.request, changes) },
    destination: {
      platform: "SLACK",
      teamId: click.teamId,
      channel: d.channel ?? click.channel ?? click.user,
      threadTs: outerThread,
      user: click.user,
      note,
    },
    replyTo,
    language: found.request.language,
  });
}
