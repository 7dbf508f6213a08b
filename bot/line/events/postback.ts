import type { webhook } from "@line/bot-sdk";
import type { ArticleRequest, Language } from "../../../core/domain.ts";
import { findScopedDraft } from "../../../core/records/draft-lookup.ts";
import { nextTone, shorterTarget } from "../../../core/request/rules.ts";
import { parseAction } from "../actions.ts";
import { chatOf } from "../destination.ts";
import { draftGoneMessage, newTopicMessage, pickedMessage } from "../replies.ts";
import { type Incoming, type LineContext, profileOf, respond } from "./context.ts";
import { rememberPick } from "./picks.ts";
import { submit } from "./submit.ts";

/**
 * A quick-reply button was tapped: "shorter" and "another angle" ask for a new draft from the
 * one above them, "new topic" asks what to write next, an industry or length is remembered
 * for the next request. Buttons answer the person who tapped, in any chat.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-event
 */
export async function onPostback(ctx: LineContext, incoming: Incoming<webhook.PostbackEvent>): Promise<void> {
  const { event, channel } = incoming;
  const chat = chatOf(event.source);
  if (!chat?.userId) return;
  const person = { ...chat, userId: chat.userId };
  const parsed = parseAction(event.postback.data);
  if (!parsed) {
    ctx.logger.info(
      { data: String(event.postback.data).slice(0, 80) },
      "LINE postback not from this bot; ignored",
    );
    return;
  }
  const { action } = parsed;
  const lang: Language = parsed.lang ?? (await profileOf(ctx, person.userId))?.lang ?? "th";

  switch (action.kind) {
    case "new_topic":
      return respond(ctx, incoming, person, newTopicMessage(lang));
    case "pick_industry":
      return respond(
        ctx,
        incoming,
        person,
        pickedMessage(lang, await rememberPick(ctx, channel, person.userId, { industry: action.industry })),
      );
    case "pick_length":
      return respond(
        ctx,
        incoming,
        person,
        pickedMessage(lang, await rememberPick(ctx, channel, person.userId, { words: action.words })),
      );
    case "shorter":
    case "angle": {
      const earlier = await draftIn(ctx, channel, action.generationId);
      if (!earlier) return respond(ctx, incoming, person, draftGoneMessage(lang));
      const form = action.kind === "shorter" ? shorter(earlier) : anotherAngle(earlier);
      await submit(ctx, incoming, person, lang, { kind: "form", form: { ...form } });
      return;
    }
  }
}

/** The request behind a draft of this LINE channel (a button from elsewhere finds nothing). */
async function draftIn(
  ctx: LineContext,
  channel: string,
  generationId: string,
): Promise<ArticleRequest | null> {
  const found = await findScopedDraft(
    ctx.app.db,
    { platform: "LINE", tenantExternalId: channel },
    generationId,
  );
  return typeof found === "string" ? null : found.request;
}

/** About half the length (core's rule); the parser caps it at the tier's maximum. */
function shorter(r: ArticleRequest): ArticleRequest {
  return { ...r, targetWords: shorterTarget(r.targetWords) };
}

/**
 * The same topic in the next tone: a genuinely different take, and a different cache key, so
 * the person does not get the same draft back.
 */
function anotherAngle(r: ArticleRequest): ArticleRequest {
  return { ...r, tone: nextTone(r.tone) };
}
