import type { BlockAction, ButtonAction } from "@slack/bolt";
import type { KnownBlock, WebClient } from "@slack/web-api";
import type { AppContext } from "../../../../core/app.ts";
import type { ArticleRequest } from "../../../../core/domain.ts";
import { findScopedDraft } from "../../../../core/records/draft-lookup.ts";
import { withoutButtons } from "../../answers.ts";
import { slackErrorCode } from "../../client.ts";
import { plain, words } from "../../copy.ts";
import { readSlackDeliveryState, type SlackDeliveryState } from "../../delivery-state.ts";
import { formOf } from "../../modal.ts";
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

/** "That draft is no longer available" / "belongs to another workspace", in the clicker's language. */
export async function tellMissing(
  desk: ListenerDeps["desk"],
  click: ReturnType<typeof clickOf>,
  missing: "gone" | "not_yours",
): Promise<void> {
  const t = words(await desk.languageOf(click.teamId, click.user));
  const replyTo = { channel: click.channel, threadTs: click.threadTs, user: click.user };
  return desk.tell(replyTo, plain(missing === "gone" ? t.gone : t.notYours));
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
 * A button under a version changes that version (Shorten, Regenerate) or stops it (Stop): the
 * buttons are replaced at once so they work once, and the change is a message of the draft's
 * thread, so the new version lands there. Slack sends each click with its own trigger; the
 * core dedupes per (action, version), so a double click is one revision. The click is kept in
 * the inbox before it is acknowledged (Slack never sends a click again).
 */
export async function changeFromButton(
  { desk, app }: ListenerDeps,
  body: BlockAction,
  client: WebClient,
  action: "shorter" | "another_angle" | "stop",
  ack: () => Promise<void>,
): Promise<void> {
  const click = clickOf(body);
  const found = await findDraft(app, click.generationId, click.teamId);
  if (typeof found === "string") {
    await ack();
    return tellMissing(desk, click, found);
  }
  const t = words(found.request.language).conversation;
  const d = found.delivery;
  const channel = d.channel ?? click.channel ?? click.user;
  const threadTs = d.rootTs ?? click.threadTs;
  await desk.take({
    eventId: `action:${click.trigger}`,
    teamId: click.teamId,
    userId: click.user,
    input: { kind: "action", action, generationId: found.id },
    conversation: { channel, threadTs: threadTs ?? click.trigger },
    destination: { platform: "SLACK", teamId: click.teamId, channel, threadTs, user: click.user },
    replyTo: { channel, threadTs, user: click.user },
    language: found.request.language,
  });
  await ack();
  await replaceButtons(app, client, body, action === "stop" ? t.stopping : t.revising);
}

/** The clicked message again, its buttons replaced by a line saying what happens now. */
async function replaceButtons(app: AppContext, client: WebClient, body: BlockAction, line: string) {
  const channel = body.channel?.id ?? body.container?.channel_id;
  const ts = body.message?.ts ?? body.container?.message_ts;
  const blocks = body.message?.blocks;
  if (!channel || !ts || !Array.isArray(blocks)) return;
  try {
    await client.chat.update({
      channel,
      ts,
      text: body.message?.text ?? line,
      blocks: withoutButtons(blocks, line) as KnownBlock[],
    });
  } catch (error) {
    // The click still counts once (the core dedupes it); only the buttons stay visible.
    app.logger.info({ code: slackErrorCode(error) }, "could not replace clicked slack buttons");
  }
}

/**
 * "Try again" after a failure writes the request again: a new request from the person who
 * clicked, counted against their quota (the failed one was refunded), in a new thread beside
 * the old one (or in the same outer thread when the first was asked inside one).
 */
export async function writeAgain(
  { desk, app }: ListenerDeps,
  body: BlockAction,
  change: (request: ArticleRequest) => { changes: Partial<ArticleRequest>; note: string },
  ack: () => Promise<void>,
): Promise<void> {
  const click = clickOf(body);
  const found = await findDraft(app, click.generationId, click.teamId);
  const replyTo = { channel: click.channel, threadTs: click.threadTs, user: click.user };
  if (typeof found === "string") {
    await ack();
    return tellMissing(desk, click, found);
  }
  const { changes, note } = change(found.request);
  const d = found.delivery;
  const outerThread = d.rootTs && d.rootTs !== d.parentTs ? d.rootTs : undefined;
  const channel = d.channel ?? click.channel ?? click.user;
  await desk.take({
    eventId: `action:${click.trigger}`,
    teamId: click.teamId,
    userId: click.user,
    input: { kind: "form", form: formOf(found.request, changes) },
    conversation: { channel, threadTs: outerThread ?? `retry:${click.trigger}` },
    destination: {
      platform: "SLACK",
      teamId: click.teamId,
      channel,
      threadTs: outerThread,
      user: click.user,
      note,
    },
    replyTo,
    language: found.request.language,
  });
  await ack();
}
