import type { webhook } from "@line/bot-sdk";
import { classifyIntent } from "../../../../core/conversation/intent.ts";
import type { Language } from "../../../../core/domain.ts";
import { extractLength } from "../../../../core/request/extract.ts";
import { detectIndustry } from "../../../../core/request/industries.ts";
import { parseArticleRequest } from "../../../../core/request/parse.ts";
import { INDUSTRY_CHOICES, nonTextMessage } from "../../copy.ts";
import { chatOf } from "../../destination.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { submit } from "../../intake.ts";
import { addressedToBot, withoutBotName } from "../../mentions.ts";
import { languageFor, profileOf } from "../../people.ts";
import { forgetPicks, type Picks, recallPicks } from "../../picks.ts";
import { planFor } from "../../plan.ts";
import { botNames, type Incoming, type ListenerDeps, respond } from "../deps.ts";

/**
 * A message to the Official Account. Text is a turn in the chat's conversation (in a group or
 * room only when it mentions the bot or types its name — a member LINE does not name is
 * answered too, as the group's requester): a new article, a revision of the chat's recent draft
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
  // In a group the bot speaks when spoken to: a mention or its name typed, never a sticker or a side conversation.
  const addressed = text ? addressedToBot(text, channel, botNames(ctx)) : null;
  if (chat.type !== "user" && !addressed) return;
  markRead(ctx, message);

  if (!text) {
    const lang = await languageFor(ctx, channel, chat);
    const plan = await planFor(ctx, channel, chat);
    await respond(ctx, incoming, chat, nonTextMessage(lang, plan));
    return;
  }

  const said = addressed?.said ?? withoutBotName(text, channel, botNames(ctx));
  const profile = await profileOf(ctx, channel, chat);
  const lang = await languageFor(ctx, channel, chat, said);
  const picks = await recallPicks(ctx, channel, chat.requester);
  // A reply to one of the bot's bubbles names that draft (LINE's quote, by message id).
  const quotedMessageId = text.quotedMessageId;
  const queued = await submit(
    ctx,
    incoming,
    chat,
    lang,
    { kind: "text", text: withPicks(said, picks, lang) },
    { displayName: profile?.displayName, quotedMessageId, quoteToken: text.quoteToken },
  );
  if (queued && picks) await forgetPicks(ctx, channel, chat.requester);
}

/** With Chat on in OA Manager, what the bot handled shows as read; a failure only costs the tick. */
function markRead(ctx: ListenerDeps, message: webhook.MessageContent): void {
  const token = "markAsReadToken" in message ? message.markAsReadToken : undefined;
  if (typeof token !== "string" || !token) return;
  ctx.api.markAsRead(token).catch((err) => ctx.logger.debug({ err }, "LINE mark-as-read failed"));
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
