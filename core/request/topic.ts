import { lastWordBoundary } from "../text/words.ts";

/**
 * The topic is the subject itself: "write an article about AI in retail" is about "AI in
 * retail". The topic goes into prompts, cache keys and chat messages, so it is also bounded.
 */

export const MAX_TOPIC_CHARS = 200;

const POLITE_EN =
  "(?:hi|hey|hello|please|pls|plz|kindly|can you|could you|would you|will you|help me|i(?:'d| would) like(?: you)? to|i(?:'d| would) like|i want(?: you)? to|i want|i need(?: you to)?|let'?s)";
const VERB_EN = "(?:write|draft|create|generate|compose|prepare|produce|give me|send me|get me)";
const ARTICLE_EN =
  "(?:(?:an?|the|one|some|another)\\s+)?(?:(?:new|detailed|quick|short|long|brief|in-depth|visionary|practical|analytical|executive)\\s+)?(?:(?:business|blog|thought[- ]leadership|trends?|linkedin|news)\\s+)?(?:article|piece|post|blog|essay|write-?up|story|report|paper|column|op-ed)s?";
const ABOUT_EN =
  "(?:about|on|regarding|covering|around|re|titled|called|named|discussing|exploring|explaining)";
// Words like "report" or "paper" open real topics ("Paper packaging trends"): without a verb
// before them they only count as phrasing when "about"/"on" follows.
const LEADING_EN = new RegExp(
  `^(?:${POLITE_EN}[\\s,]+)*(?:${VERB_EN}\\s+(?:(?:me|us)\\s+)?(?:${ARTICLE_EN}(?:\\s+|$))?(?:${ABOUT_EN}\\s*:?\\s+)?|${ARTICLE_EN}\\s+${ABOUT_EN}\\s*:?\\s+|(?:an?\\s+)?articles?\\s*:\\s*)?`,
  "iu",
);
const LEADING_LABEL = /^(?:topic|subject|title|หัวข้อ|เรื่อง)\s*[:：]\s*/iu;

// "สร้าง" (create) is stripped only before "บทความ" (article): "สร้างแบรนด์" (building a brand) is a topic.
const LEADING_TH =
  /^(?:(?:ช่วย|รบกวน|ขอ|กรุณา|อยากได้|อยากให้|ต้องการ)\s*(?=เขียน|ร่าง|บทความ|สร้าง|เรียบเรียง))?(?:(?:เขียน|ร่าง|เรียบเรียง)(?:\s*ให้)?(?:\s*หน่อย)?(?:\s+|(?=บทความ|เรื่อง|เกี่ยวกับ|หัวข้อ|ถึง))|สร้าง\s*(?=บทความ))?(?:บทความ\s*)?(?:(?:เรื่อง|เกี่ยวกับ|ในหัวข้อ|หัวข้อ|ว่าด้วย|ถึง)\s*:?\s*)?/u;
const TRAILING_TH = /(?:\s*(?:ให้หน่อย|หน่อย|นะครับ|นะคะ|ครับผม|ครับ|ค่ะ|คะ|ค่า|คับ|นะ|จ้า|จ้ะ|ฮะ|น้า|ด้วย)[!.~]*)+$/u;
const TRAILING_EN = /(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|ty))+[\s!.]*$/iu;
const DANGLING = /(?:\s+|^)(?:and|with|in|for|on|of|about|to|by|&|ใน|สำหรับ|และ|ของ|กับ|เกี่ยวกับ)$/iu;
const EDGE_PUNCTUATION = /^[\s,.;:!\-–—|/\\"'“”‘’()[\]{}*_`~]+|[\s,;:\-–—|/\\"'“”‘’([{*_`~]+$/gu;

/** Removes "write an article about", "เขียนบทความเรื่อง", greetings and thanks around the subject. */
export function stripRequestPhrasing(text: string): string {
  let topic = text.replace(LEADING_LABEL, "");
  for (let i = 0; i < 3; i++) {
    const before = topic;
    topic = topic.replace(LEADING_EN, "").replace(LEADING_TH, "").replace(LEADING_LABEL, "");
    topic = topic.replace(TRAILING_EN, "").replace(TRAILING_TH, "");
    if (topic === before) break;
  }
  return tidy(topic);
}

/** Collapses whitespace, drops punctuation and connectors left hanging at the ends. */
export function tidy(text: string): string {
  let topic = text.replace(/\s+/gu, " ").replace(/\s+([,.;:!?])/gu, "$1");
  for (let i = 0; i < 5; i++) {
    const before = topic;
    topic = topic.replace(EDGE_PUNCTUATION, "").replace(DANGLING, "").trim();
    if (topic === before) break;
  }
  return topic.replace(/\.+$/u, "");
}

/** At most MAX_TOPIC_CHARS, cut between words; `shortened` says whether anything was cut. */
export function capTopic(topic: string): { topic: string; shortened: boolean } {
  if (topic.length <= MAX_TOPIC_CHARS) return { topic, shortened: false };
  const at = lastWordBoundary(topic, MAX_TOPIC_CHARS) || MAX_TOPIC_CHARS;
  const safe = /[\uD800-\uDBFF]/.test(topic[at - 1] ?? "") ? at - 1 : at;
  return { topic: tidy(topic.slice(0, safe)), shortened: true };
}
