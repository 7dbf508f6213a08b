import type { webhook } from "@line/bot-sdk";
import { classifyIntent } from "../../../../core/conversation/intent.ts";
import type { Language } from "../../../../core/domain.ts";
import { extractLength } from "../../../../core/request/extract.ts";
import { detectIndustry } from "../../../../core/request/industries.ts";
import { parseArticleRequest } from "../../../../core/request/parse.ts";
import { speakerLanguage } from "../../../../core/text/language.ts";
import { INDUSTRY_CHOICES, nonTextMessage } from "../../copy.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { submit } from "../../intake.ts";
import { forgetPicks, type Picks, recallPicks } from "../../picks.ts";
import { type Incoming, type ListenerDeps, profileOf, respond } from "../deps.ts";

/**
 * A message to the Official Account. Text is a turn in the chat's conversation (in a group or
 * room only when it mentions the bot): a new article, a revision of the chat's recent draft
 * (or of the one whose bubble it quotes), thanks, a usage question, stop or help — the core
 * decides. Anything else in a one-to-one chat gets a short pointer to what works.
 *
 * https://developers.line.biz/en/reference/messaging-api/#message-event
 */
export function register(listeners: LineListeners): void {
  listeners.event("message", onMessage);
}

async function onMessage(ctx: ListenerDeps, incoming: Incoming<webhook.MessageEvent>): Promise<void> {
  const { event, channel } = incoming;
  const chat = chatOf(event.source);
  if (!chat) return;
  const message = event.message;
  const text = message.type === "text" ? message : null;
  // In a group the bot speaks when spoken to: a mention, never a sticker or a side conversation.
  if (chat.type !== "user" && !(text && mentionsBot(text, channel))) return;
  if (!chat.userId) {
    ctx.logger.info(
      { chat: chat.type },
      "LINE message without a user id (the member has not shared it); ignored",
    );
    return;
  }
  const person = { ...chat, userId: chat.userId };

  if (!text) {
    const lang = (await profileOf(ctx, person.userId))?.lang ?? "th";
    await respond(ctx, incoming, person, nonTextMessage(lang));
    return;
  }

  const said = withoutBotMentions(text, channel);
  const profile = chat.type === "user" ? await profileOf(ctx, person.userId) : null;
  const lang = speakerLanguage(said, profile?.lang ?? "th");
  const picks = await recallPicks(ctx, channel, person.userId);
  // A reply to one of the bot's bubbles names that draft (LINE's quote, by message id).
  const quotedMessageId = text.quotedMessageId;
  const queued = await submit(
    ctx,
    incoming,
    person,
    lang,
    { kind: "text", text: withPicks(said, picks, lang) },
    { displayName: profile?.displayName, quotedMessageId },
  );
  if (queued && picks) await forgetPicks(ctx, channel, person.userId);
}

/** The bot is mentioned by itself (isSelf) or by its user id (the webhook's destination). */
function mentionsBot(message: webhook.TextMessageContent, botUserId: string): boolean {
  return (message.mention?.mentionees ?? []).some(
    (m) => m.type === "user" && (isSelf(m) || (m as webhook.UserMentionee).userId === botUserId),
  );
}

function isSelf(m: webhook.Mentionee): boolean {
  return m.type === "user" && (m as webhook.UserMentionee).isSelf === true;
}

/** The text without "@Article Bot" wherever the mention sits (LINE gives its index and length). */
function withoutBotMentions(message: webhook.TextMessageContent, botUserId: string): string {
  const spans = (message.mention?.mentionees ?? [])
    .filter((m) => m.type === "user" && (isSelf(m) || (m as webhook.UserMentionee).userId === botUserId))
    .filter((m) => Number.isInteger(m.index) && Number.isInteger(m.length) && m.index >= 0 && m.length > 0)
    .sort((a, b) => b.index - a.index);
  let out = message.text;
  for (const m of spans) out = `${out.slice(0, m.index)} ${out.slice(m.index + m.length)}`;
  return out.replace(/\s+/g, " ").trim();
}

/**
 * The industry or length a person picked with a button before typing the topic, said the way
 * the request parser reads it — unless the message already names one.
 */
function withPicks(text: string, picks: Picks | null, lang: Language): string {
  // "help" stays a call for help, not an article about help in retail; "thanks" and "quota"
  // stay what they are too.
  if (
    !picks ||
    classifyIntent(text, { inDraft: false }).kind !== "new_request" ||
    !parseArticleRequest({ kind: "text", text }, { maxWords: Number.POSITIVE_INFINITY }).ok
  )
    return text;
  let out = text;
  const industry = INDUSTRY_CHOICES.find((c) => c.slug === picks.industry);
  if (industry && !detectIndustry(text))
    out += lang === "th" ? ` ใน${industry.topicHint.th}` : ` in ${industry.topicHint.en}`;
  if (picks.words && extractLength(text).value === null)
    out += lang === "th" ? ` ${picks.words} คำ` : `, ${picks.words} words`;
  return out;
}
