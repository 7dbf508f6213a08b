import type { messagingApi } from "@line/bot-sdk";
import type { DraftFailure } from "../../core/deliver/sink.ts";
import type { Language } from "../../core/domain.ts";
import { type CapLimit, isCapLimit, type QuotaExceeded } from "../../core/quota/quotas.ts";
import { guidance as coreGuidance, type Guidance } from "../../core/request/guidance.ts";
import { encodeAction, type LineAction } from "./actions.ts";
import type { LineMessage } from "./client.ts";
import type { LineDestination } from "./destination.ts";
import type { Plan } from "./plan.ts";

/**
 * Everything the bot says on LINE, in the person's language (Thai when they wrote Thai), as
 * message objects with the quick-reply buttons that fit. Never an error's internals.
 *
 * https://developers.line.biz/en/docs/messaging-api/using-quick-reply/
 */

type Text = Record<Language, string>;

export const INDUSTRY_CHOICES: { slug: string; label: Text; topicHint: Text }[] = [
  {
    slug: "retail",
    label: { en: "🛒 Retail", th: "🛒 ค้าปลีก" },
    topicHint: { en: "retail", th: "ธุรกิจค้าปลีก" },
  },
  {
    slug: "banking",
    label: { en: "🏦 Banking", th: "🏦 การเงิน" },
    topicHint: { en: "banking", th: "ธนาคารและการเงิน" },
  },
  {
    slug: "healthcare",
    label: { en: "🏥 Healthcare", th: "🏥 สุขภาพ" },
    topicHint: { en: "healthcare", th: "การแพทย์และสุขภาพ" },
  },
  {
    slug: "manufacturing",
    label: { en: "🏭 Manufacturing", th: "🏭 การผลิต" },
    topicHint: { en: "manufacturing", th: "อุตสาหกรรมการผลิต" },
  },
  {
    slug: "logistics",
    label: { en: "🚚 Logistics", th: "🚚 โลจิสติกส์" },
    topicHint: { en: "logistics", th: "โลจิสติกส์" },
  },
  {
    slug: "hospitality",
    label: { en: "🏨 Hospitality", th: "🏨 ท่องเที่ยว" },
    topicHint: { en: "hospitality", th: "ท่องเที่ยวและโรงแรม" },
  },
];

export const LENGTH_CHOICES: { words: number; label: Text }[] = [
  { words: 500, label: { en: "Short · 500 words", th: "สั้น · 500 คำ" } },
  { words: 800, label: { en: "Medium · 800 words", th: "กลาง · 800 คำ" } },
  { words: 1_500, label: { en: "Long · 1,500 words", th: "ยาว · 1,500 คำ" } },
];

type QuickReplyItem = messagingApi.QuickReplyItem;

/** A postback button; LINE shows `shown` in the chat as if the person had typed it. */
function button(lang: Language, label: string, action: LineAction): QuickReplyItem {
  const postback: messagingApi.PostbackAction = {
    type: "postback",
    label: [...label].slice(0, 20).join(""),
    data: encodeAction(action, lang),
    displayText: label,
  };
  return { type: "action", action: postback };
}

export function text(body: string, items: QuickReplyItem[] = []): LineMessage {
  return items.length
    ? { type: "text", text: body, quickReply: { items: items.slice(0, 13) } }
    : { type: "text", text: body };
}

/**
 * The lengths a plan allows: every choice up to its maximum, and the maximum itself as the
 * longest when no choice lands on it (a Free client capped at 800 words never sees 1,500).
 */
export function lengthChoices(plan?: Plan | null): { words: number; label: Text }[] {
  const max = plan?.tier.maxWords;
  if (!max) return LENGTH_CHOICES;
  const within = LENGTH_CHOICES.filter((c) => c.words <= max);
  if (within.some((c) => c.words === max) || max > LENGTH_CHOICES.at(-1)!.words) return within;
  return [...within, { words: max, label: { en: `Up to ${fmt(max)} words`, th: `สูงสุด ${fmt(max)} คำ` } }];
}

function choiceButtons(
  lang: Language,
  show: { industries: boolean; lengths: boolean },
  plan?: Plan | null,
): QuickReplyItem[] {
  return [
    ...(show.industries
      ? INDUSTRY_CHOICES.map((c) => button(lang, c.label[lang], { kind: "pick_industry", industry: c.slug }))
      : []),
    ...(show.lengths
      ? lengthChoices(plan).map((c) => button(lang, c.label[lang], { kind: "pick_length", words: c.words }))
      : []),
  ];
}

const TAP_A_CHOICE: Text = {
  en: "Or tap a button below to choose an industry or a length first, then send the topic.",
  th: "หรือแตะปุ่มด้านล่างเพื่อเลือกอุตสาหกรรมหรือความยาวก่อน แล้วค่อยส่งหัวข้อมา",
};

/** The parser's guidance (empty request, "help", no topic) with a couple of examples and the choice buttons. */
export function guidanceMessage(g: Guidance, plan?: Plan | null): LineMessage {
  const lang = g.language;
  const examples = [g.examples[0], g.examples[2]]
    .filter(Boolean)
    .map((e) => `• ${e}`)
    .join("\n");
  const lead = lang === "th" ? "ตัวอย่าง:" : "For example:";
  return text(
    `${g.message}\n\n${lead}\n${examples}\n\n${TAP_A_CHOICE[lang]}`,
    choiceButtons(lang, { industries: true, lengths: true }, plan),
  );
}

const NON_TEXT: Text = {
  en: "I can only read text messages. Send me the topic of the article you need, for example:",
  th: "บอทอ่านได้เฉพาะข้อความตัวอักษรนะครับ พิมพ์หัวข้อบทความที่ต้องการมาได้เลย เช่น",
};

/** A sticker, photo, voice note...: a short pointer to what works. */
export function nonTextMessage(lang: Language, plan?: Plan | null): LineMessage {
  const example = coreGuidance("empty", lang).examples[0];
  return text(
    `${NON_TEXT[lang]}\n• ${example}\n\n${TAP_A_CHOICE[lang]}`,
    choiceButtons(lang, { industries: true, lengths: true }, plan),
  );
}

/** "New topic" after a draft, and the greeting when someone adds the account as a friend. */
export function newTopicMessage(lang: Language, plan?: Plan | null): LineMessage {
  return guidanceMessage(coreGuidance("empty", lang), plan);
}

/** Joining a group or room, in both languages, with the name people will really see (`botName`). */
export function groupHelloMessage(botName: string): LineMessage {
  const name = botName || "Article Bot";
  return text(
    `สวัสดีครับ แท็กบอทหรือพิมพ์ "@${name}" ตามด้วยหัวข้อ แล้วบอทจะร่างบทความธุรกิจให้ เช่น "@${name} AI ในธุรกิจค้าปลีก สำหรับผู้บริหาร 800 คำ"\n\n` +
      `Hello! Mention me or type "@${name}" with a topic and I'll write a business-article draft, e.g. "@${name} AI in retail for executives, 800 words".`,
  );
}

/** Confirms a remembered choice and offers the other one. */
export function pickedMessage(
  lang: Language,
  pick: { industry?: string; words?: number },
  plan?: Plan | null,
): LineMessage {
  const industry = INDUSTRY_CHOICES.find((c) => c.slug === pick.industry)?.label[lang];
  const parts: string[] = [];
  if (lang === "th") {
    if (industry) parts.push(`อุตสาหกรรม: ${industry}`);
    if (pick.words) parts.push(`ความยาว: ประมาณ ${fmt(pick.words)} คำ`);
    return text(
      `รับทราบครับ ${parts.join(" · ")}\nพิมพ์หัวข้อบทความมาได้เลย`,
      choiceButtons(lang, { industries: !industry, lengths: !pick.words }, plan),
    );
  }
  if (industry) parts.push(`industry: ${industry}`);
  if (pick.words) parts.push(`length: about ${fmt(pick.words)} words`);
  return text(
    `Got it — ${parts.join(" · ")}.\nNow send me the topic.`,
    choiceButtons(lang, { industries: !industry, lengths: !pick.words }, plan),
  );
}

/**
 * A quota refusal in the client's terms — articles and days, never the provider's dollars —
 * with when they can ask again and the workspace's upgrade line (`upgradeNote`) when its
 * owner set one.
 */
export function refusalMessage(
  r: QuotaExceeded,
  lang: Language,
  timeZone: string,
  now = new Date(),
  upgradeNote = "",
): LineMessage {
  const when = resetPhrase(r, lang, timeZone, now);
  const upgrade = upgradeNote.trim() ? `\n${upgradeNote.trim()}` : "";
  if (isCapLimit(r.limit)) return text(`${capRefusal(r.limit, r.max, lang, when)}${upgrade}`);
  const days = daysUntil(r.resetsAt, now);
  if (lang === "th") {
    switch (r.limit) {
      case "daily":
        return text(
          `ขออภัยครับ วันนี้คุณใช้สิทธิ์ไปแล้ว ${fmt(r.used)} จาก ${fmt(r.max)} บทความตามแพ็กเกจ ${r.tier}\nโควตาจะรีเซ็ต${when}${upgrade}`,
        );
      case "burst":
        return text(
          `ขออภัยครับ คุณขอบทความไปแล้ว ${fmt(r.used)} บทความในหนึ่งนาที ซึ่งเต็มโควตาของแพ็กเกจ ${r.tier} (${fmt(r.max)} บทความต่อนาที)\nลองใหม่ได้${when}`,
        );
      case "budget":
        return text(
          `ขออภัยครับ สิทธิ์ขอบทความของแพ็กเกจ ${r.tier} เดือนนี้ใช้ครบแล้ว\nขอได้อีกครั้ง${days > 1 ? `ในอีก ${fmt(days)} วัน (${when.trim()})` : when}${upgrade}`,
        );
    }
  }
  switch (r.limit) {
    case "daily":
      return text(
        `Sorry — you've used ${fmt(r.used)} of your ${fmt(r.max)} articles for today on the ${r.tier} plan.\nYour quota resets ${when}.${upgrade}`,
      );
    case "burst":
      return text(
        `Sorry — that's ${fmt(r.used)} articles within a minute, the most the ${r.tier} plan allows (${fmt(r.max)} a minute).\nYou can ask again ${when}.`,
      );
    case "budget":
      return text(
        `Sorry — this month's articles on the ${r.tier} plan are used up.\nYou can ask again ${days > 1 ? `in ${fmt(days)} days (${when})` : when}.${upgrade}`,
      );
  }
}

/** Whole days until `at`, counting a part day as one. */
function daysUntil(at: Date, now: Date): number {
  return Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 86_400_000));
}

/** The channel's or the whole service's cap (core/quota/caps.ts): no amounts, those are the admins'. */
function capRefusal(limit: CapLimit, max: number, lang: Language, when: string): string {
  const th = lang === "th";
  switch (limit) {
    case "workspace_daily":
      return th
        ? `ขออภัยครับ บัญชี LINE นี้ขอบทความครบ ${fmt(max)} บทความของวันนี้แล้ว\nจะรีเซ็ต${when}`
        : `Sorry — this LINE account has reached its limit of ${fmt(max)} articles for today.\nIt resets ${when}.`;
    case "workspace_budget":
      return th
        ? `ขออภัยครับ งบประมาณรายเดือนของบัญชี LINE นี้ใช้ครบแล้ว\nจะรีเซ็ต${when}`
        : `Sorry — this LINE account's monthly article budget is used up.\nIt resets ${when}.`;
    case "overall_daily":
      return th
        ? `ขออภัยครับ Article Bot ถึงขีดจำกัดรวมของวันนี้แล้ว\nจะรีเซ็ต${when}`
        : `Sorry — Article Bot has reached its overall limit for today.\nIt resets ${when}.`;
    case "overall_budget":
      return th
        ? `ขออภัยครับ Article Bot ใช้งบรวมของเดือนนี้ครบแล้ว\nจะรีเซ็ต${when}`
        : `Sorry — Article Bot has reached its overall budget for this month.\nIt resets ${when}.`;
  }
}

/** When a limit resets, said in the person's language and the quota's time zone. */
export function resetPhrase(r: { resetsAt: Date }, lang: Language, timeZone: string, now: Date): string {
  const seconds = Math.max(1, Math.ceil((r.resetsAt.getTime() - now.getTime()) / 1000));
  if (seconds < 120) return lang === "th" ? `ในอีก ${seconds} วินาที` : `in ${seconds} seconds`;
  const zone = timeZone.split("/").pop()!.replace(/_/g, " ");
  if (lang === "th") {
    const f = new Intl.DateTimeFormat("th-TH", {
      timeZone,
      weekday: "long",
      day: "numeric",
      month: "long",
      hour: "2-digit",
      minute: "2-digit",
    });
    return ` ${f.format(r.resetsAt)} น. (เวลา${zone === "Bangkok" ? "ประเทศไทย" : ` ${zone}`})`;
  }
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  return `on ${f.format(r.resetsAt)} (${zone} time)`;
}

export function blockedMessage(lang: Language): LineMessage {
  return text(
    lang === "th"
      ? "ขออภัยครับ บัญชีของคุณไม่สามารถขอบทความได้ในขณะนี้ หากคิดว่าเป็นข้อผิดพลาด กรุณาติดต่อเรา"
      : "Sorry — your account can't request articles at the moment. If you think this is a mistake, please contact us.",
  );
}

/** Follow-up buttons on a draft that is no longer there (or not from this chat). */
export function draftGoneMessage(lang: Language, plan?: Plan | null): LineMessage {
  return newTopicMessageWithLead(
    lang,
    lang === "th"
      ? "ไม่พบบทความต้นฉบับแล้ว กรุณาส่งหัวข้อใหม่อีกครั้ง"
      : "I can't find that draft any more — please send the topic again.",
    plan,
  );
}

export function newTopicMessageWithLead(lang: Language, lead: string, plan?: Plan | null): LineMessage {
  return text(
    `${lead}\n\n${TAP_A_CHOICE[lang]}`,
    choiceButtons(lang, { industries: true, lengths: true }, plan),
  );
}

/** Why a draft failed, in human terms, and that the quota was given back. Never internals. */
export function failureMessage(f: DraftFailure, lang: Language): LineMessage {
  const busy =
    f.code === "rate_limited" ||
    f.code === "unavailable" ||
    f.code === "circuit_open" ||
    f.code === "timeout";
  if (lang === "th") {
    const why = busy ? "ระบบเขียนบทความไม่ว่างหรือตอบสนองช้าในขณะนี้" : "เกิดปัญหาขัดข้องในระบบของเรา";
    const refund = f.refunded ? " บทความนี้ไม่ถูกนับในโควตาของคุณ (คืนโควตาให้แล้ว)" : "";
    return text(
      `ขออภัยครับ ไม่สามารถเขียนบทความเรื่อง "${f.request.topic}" ให้เสร็จได้ เนื่องจาก${why}${refund}\nกรุณาลองใหม่อีกครั้งในอีกสักครู่`,
    );
  }
  const why = busy
    ? "the writing service is busy or not responding right now"
    : "something went wrong on our side";
  const refund = f.refunded ? " It doesn't count against your quota (it was given back)." : "";
  return text(
    `Sorry — I couldn't finish the article on "${f.request.topic}" because ${why}.${refund}\nPlease try again in a few minutes.`,
  );
}

export function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

// ---- the rich menu, language choice, group drafts (line-people) ----

/** The rich menu's four buttons, as drawn on its image and shown in the chat when tapped. */
export const MENU_LABELS = {
  new: { en: "New article", th: "บทความใหม่" },
  quota: { en: "My quota", th: "โควตาของฉัน" },
  help: { en: "Help", th: "วิธีใช้" },
  language: { en: "Language", th: "ภาษา" },
} as const satisfies Record<string, Text>;

/** The chat bar under the menu (LINE allows 14 characters). */
export const MENU_CHAT_BAR = "เมนู · Menu";

/** "ภาษา / Language": the bot speaks the other language from now on, and says so in it. */
export function languageChosenMessage(lang: Language): LineMessage {
  return text(
    lang === "th"
      ? "เปลี่ยนเป็นภาษาไทยแล้วครับ บอทจะตอบเป็นภาษาไทย (บทความยังเขียนตามภาษาที่คุณขอ) แตะ ภาษา/Language อีกครั้งเพื่อเปลี่ยนกลับ"
      : "Switched to English: I'll answer in English (articles are still written in the language you ask for). Tap ภาษา/Language again to switch back.",
  );
}

/**
 * LINE's text v2 reads `{key}` as a placeholder; braces a draft writes itself are doubled so
 * they show as written.
 *
 * https://developers.line.biz/en/reference/messaging-api/#text-message-v2
 */
function escapeBraces(body: string): string {
  return body.replaceAll("{", "{{").replaceAll("}", "}}");
}

const MAX_TEXT = 5_000;

/**
 * A group or room draft's first bubble, addressed: it quotes the message that asked for it
 * (the request's quote token) and starts by mentioning who asked (text v2's `{requester}`
 * mention), so in a busy group everyone sees whose draft it is. Without a named requester,
 * or when the mention would not fit the 5,000-character limit, the bubble only quotes.
 * One-to-one chats and non-text bubbles are returned as they are. The sink calls this on
 * the first message it sends for a draft.
 */
export function addressedToRequester(first: LineMessage, dest: LineDestination): LineMessage {
  if (dest.chatType === "user" || first.type !== "text") return first;
  const quote = dest.quoteToken ? { quoteToken: dest.quoteToken } : {};
  if (!dest.mentionUserId) return { ...first, ...quote };
  const body = `{requester} ${escapeBraces(first.text)}`;
  if (body.length > MAX_TEXT) return { ...first, ...quote };
  const { emojis: _emojis, ...rest } = first;
  return {
    ...rest,
    type: "textV2",
    text: body,
    substitution: { requester: { type: "mention", mentionee: { type: "user", userId: dest.mentionUserId } } },
    ...quote,
  };
}
