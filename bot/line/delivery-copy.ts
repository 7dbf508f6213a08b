import type { Language } from "../../core/domain.ts";

/**
 * What the LINE sink says around a draft's delivery — the result card, the "Continue reading"
 * card, the monthly-limit notice — in English and Thai. The cards' layout is card.ts; every
 * sentence is here (copy.ts holds the rest of what the bot says).
 */

type Text = Record<Language, string>;

export const CARD_COPY = {
  ready: { en: "Draft ready", th: "ร่างบทความเสร็จแล้ว" },
  words: { en: "words", th: "คำ" },
  basedOn: { en: "Based on", th: "อ้างอิง" },
  cacheHit: {
    en: "From the cache: this topic was written recently, so it came back at once.",
    th: "บทความนี้มาจากแคช: หัวข้อนี้เคยเขียนไว้เมื่อไม่นานมานี้ จึงส่งให้ได้ทันที",
  },
  offline: {
    en: "No AI model is connected, so this is an outline rather than a finished draft.",
    th: "ยังไม่ได้เชื่อมต่อโมเดล AI จึงเป็นโครงร่างบทความ ไม่ใช่ร่างฉบับเต็ม",
  },
  shorter: { en: "✂️ Shorter", th: "✂️ สั้นลง" },
  angle: { en: "🔄 Another angle", th: "🔄 มุมมองอื่น" },
  newTopic: { en: "🆕 New topic", th: "🆕 หัวข้อใหม่" },
  up: { en: "👍", th: "👍" },
  down: { en: "👎", th: "👎" },
} satisfies Record<string, Text>;

export const CONTINUE_COPY = {
  more: {
    en: "There is more of this draft. Tap below to keep reading.",
    th: "บทความนี้ยังมีต่อ แตะปุ่มด้านล่างเพื่ออ่านต่อ",
  },
  writing: {
    en: "Still writing the rest. Tap below in a moment to read on.",
    th: "กำลังเขียนส่วนที่เหลืออยู่ แตะปุ่มด้านล่างอีกสักครู่เพื่ออ่านต่อ",
  },
  button: { en: "Continue reading", th: "อ่านต่อ" },
  nothingLeft: {
    en: "That was the whole draft — nothing more to read.",
    th: "บทความนี้ส่งครบแล้ว ไม่มีส่วนที่เหลือ",
  },
} satisfies Record<string, Text>;

export const VOTE_COPY = {
  thanks: { en: "Thanks for the feedback!", th: "ขอบคุณสำหรับความคิดเห็นครับ" },
} satisfies Record<string, Text>;

/** Said by a free reply when pushes are used up: the rest comes with "Continue reading". */
export function monthlyLimitNotice(lang: Language): string {
  return lang === "th"
    ? 'ℹ️ ข้อความของบัญชีนี้สำหรับเดือนนี้ครบโควตาแล้ว ส่วนที่เหลือของบทความจะส่งให้เมื่อคุณแตะ "อ่านต่อ"'
    : 'ℹ️ This account has used its messages for the month, so the rest of the draft comes when you tap "Continue reading".';
}

export function wordsLine(words: number, lang: Language): string {
  return `${CARD_COPY.ready[lang]} · ${words.toLocaleString("en-US")} ${CARD_COPY.words[lang]}`;
}
