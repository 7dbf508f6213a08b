import type { Language, Tone } from "../domain.ts";
import { clip } from "./sanitize.ts";

/**
 * Pulls the optional parts of a free-text request out of it (language, length, tone, audience,
 * keywords), each returning what it found and the text without it, so what is left at the end
 * is the topic. English and Thai phrasings side by side; Thai has no spaces between words, so
 * Thai patterns are anchored on their own words rather than on word boundaries.
 */

export interface Found<T> {
  value: T;
  rest: string;
}

const NOT_LETTER_BEFORE = "(?<![\\p{L}\\p{N}])";
const NOT_LETTER_AFTER = "(?![\\p{L}\\p{N}])";

function take<T>(
  text: string,
  m: RegExpExecArray | null,
  value: (m: RegExpExecArray) => T,
  fallback: T,
): Found<T> {
  if (!m) return { value: fallback, rest: text };
  return {
    value: value(m),
    rest: `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.replace(/\s+/g, " ").trim(),
  };
}

const LANGUAGE_EN =
  /(?:^|[\s,(])(?:(?:write|written|language|lang)\s*:?\s*)?(?:it\s+)?in\s+(english|thai)(?=\s*(?:$|[,.;!)]|please|pls|language))/iu;
const LANGUAGE_FIELD = /(?:language|lang)\s*:\s*(english|thai|en|th)\b/iu;
// "ภาษาอังกฤษ" inside a word ("การสอนภาษาอังกฤษ", teaching English) is a topic, not a request.
const LANGUAGE_TH = /(?:^|\s)(?:เขียน)?(?:เป็น)?ภาษา(ไทย|อังกฤษ)(?=\s|$|[,.])/u;

/** "in English", "in Thai", "language: th", "ภาษาไทย", "เป็นภาษาอังกฤษ": the article's language. */
export function extractLanguage(text: string): Found<Language | null> {
  const toLanguage = (word: string): Language => (/^(thai|th|ไทย)$/iu.test(word) ? "th" : "en");
  for (const pattern of [LANGUAGE_FIELD, LANGUAGE_EN, LANGUAGE_TH]) {
    const m = pattern.exec(text);
    if (m) return take(text, m, (x) => toLanguage(x[1]!), null);
  }
  return { value: null, rest: text };
}

const NUMBER = "(\\d{1,3}(?:,\\d{3})+|\\d+(?:\\.\\d+)?)\\s*(k)?";
const LENGTH_WORDS = new RegExp(
  `${NOT_LETTER_BEFORE}(?:(?:length|word count|ความยาว|ยาว|จำนวน)\\s*:?\\s*)?(?:about|around|approx\\.?|roughly|ประมาณ|ราว ?ๆ?)?\\s*${NUMBER}\\s*[- ]?\\s*(?:words?${NOT_LETTER_AFTER}|คำ(?!สำคัญ|ค้น))`,
  "iu",
);
const LENGTH_FIELD = new RegExp(`${NOT_LETTER_BEFORE}(?:length|word count|ความยาว)\\s*:\\s*${NUMBER}`, "iu");
const SHORT_LONG_EN =
  /(?<![\p{L}-])(short|brief|quick|long|in-depth|long-form)(?=\s+(?:article|piece|post|read|version|draft|one)|\s*(?:$|[,.;]))/iu;
const SHORT_LONG_TH = /(?:แบบ|ฉบับ|บทความ)(สั้น|ยาว)(?:\s?ๆ)?|(สั้น|ยาว)\s?ๆ|(?<=^|\s)(สั้น|ยาว)(?=\s|$|[,.])/u;
export const SHORT_WORDS = 500;
export const LONG_WORDS = 1500;

/** Digits of any script ("๑๐๐๐") as ASCII, so lengths written in Thai numerals are read. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u0E50-\u0E59]/g, (d) => String(d.charCodeAt(0) - 0x0e50));
}

/** "800 words", "1,200-word", "1.5k words", "1200 คำ", "length: 900", "short", "แบบยาว". */
export function extractLength(text: string): Found<number | null> {
  const digits = asciiDigits(text);
  const m = LENGTH_WORDS.exec(digits) ?? LENGTH_FIELD.exec(digits);
  if (m) return take(text, m, (x) => toNumber(x[1]!, x[2]), null);
  const en = SHORT_LONG_EN.exec(text);
  if (en) return take(text, en, (x) => (/short|brief|quick/i.test(x[1]!) ? SHORT_WORDS : LONG_WORDS), null);
  // A bare "ยาว" inside a Thai word ("ระยะยาว", long-term) is not a length: see the pattern.
  const th = SHORT_LONG_TH.exec(text);
  if (th) return take(text, th, (x) => ((x[1] ?? x[2] ?? x[3]) === "สั้น" ? SHORT_WORDS : LONG_WORDS), null);
  return { value: null, rest: text };
}

function toNumber(digits: string, k: string | undefined): number {
  const n = Number(digits.replace(/,/g, "")) * (k ? 1000 : 1);
  return Number.isFinite(n) ? Math.min(Math.round(n), 1_000_000) : 0;
}

/** A form's length field: "1200", "1,200 words", "short". Null when unreadable. */
export function parseLengthField(value: string): number | null {
  const text = asciiDigits(value.trim());
  const bare = new RegExp(`^${NUMBER}$`, "iu").exec(text);
  if (bare) return toNumber(bare[1]!, bare[2]);
  return extractLength(text).value;
}

const TONE_WORDS: Record<string, Tone> = {
  visionary: "visionary",
  practical: "practical",
  analytical: "analytical",
  executive: "executive",
};
const TONE_PHRASE =
  /(?:(?:tone|style|voice)\s*:\s*(visionary|practical|analytical|executive)|(?:in\s+an?\s+)?(visionary|practical|analytical|executive)\s+(?:tone|style|voice))(?![\p{L}])/iu;
const TONE_ALONE = /(?:^|,)\s*(visionary|practical|analytical)\s*(?=,|$)/iu;
const TONE_WORD = /(?<![\p{L}])(visionary|practical|analytical)(?![\p{L}])/iu;
const TONE_TH: Array<[RegExp, Tone]> = [
  [/(?:โทน|สไตล์|แบบ)?\s*เชิงวิสัยทัศน์/u, "visionary"],
  [/(?:โทน|สไตล์|แบบ)?\s*เชิงปฏิบัติ(?:การ)?/u, "practical"],
  [/(?:โทน|สไตล์|แบบ)?\s*เชิงวิเคราะห์/u, "analytical"],
  [/(?:โทน|สไตล์)\s*(?:แบบ)?ผู้บริหาร/u, "executive"],
];

/**
 * "practical tone", "tone: visionary", "เชิงวิเคราะห์". A tone word inside the topic
 * ("practical AI for SMEs") sets the tone but stays in the topic.
 */
export function extractTone(text: string): Found<Tone | null> {
  const phrase = TONE_PHRASE.exec(text) ?? TONE_ALONE.exec(text);
  if (phrase) return take(text, phrase, (m) => TONE_WORDS[(m[1] ?? m[2])!.toLowerCase()]!, null);
  for (const [pattern, tone] of TONE_TH) {
    const m = pattern.exec(text);
    if (m) return take(text, m, () => tone, null);
  }
  const word = TONE_WORD.exec(text);
  return { value: word ? TONE_WORDS[word[1]!.toLowerCase()]! : null, rest: text };
}

/** A tone as a form sends it, in English or Thai; null when unknown. */
export function parseToneField(value: string): Tone | null {
  const word = value.trim().toLowerCase();
  if (word in TONE_WORDS) return TONE_WORDS[word]!;
  for (const [pattern, tone] of TONE_TH) if (pattern.test(word)) return tone;
  return /วิสัยทัศน์/u.test(word)
    ? "visionary"
    : /ปฏิบัติ/u.test(word)
      ? "practical"
      : /วิเคราะห์/u.test(word)
        ? "analytical"
        : /ผู้บริหาร/u.test(word)
          ? "executive"
          : null;
}

const AUDIENCE_HEAD =
  "executives?|leaders?|leadership(?: teams?)?|managers?|directors?|heads? of [\\p{L}-]+|ceos?|cios?|ctos?|cfos?|cmos?|coos?|cdos?|cisos?|cxos?|c-suite|c-level(?: executives)?|boards?(?: members| of directors)?|founders?|entrepreneurs?|investors?|(?:business )?owners?|smes?|startups?|marketers?|teams?|staff|employees|engineers|developers|decision[- ]makers|policy ?makers|students|beginners|professionals|practitioners|readers|newcomers|stakeholders|analysts|officers|consultants|architects|vps?|partners|customers|clients";
const AUDIENCE_EN = new RegExp(
  `${NOT_LETTER_BEFORE}(?:for|aimed at|targeting|targeted at|written for)\\s+(?:(?:the|an?|our|your|my)\\s+)?((?:[\\p{L}\\p{N}&/-]+\\s+){0,3}?(?:${AUDIENCE_HEAD}))${NOT_LETTER_AFTER}`,
  "iu",
);
const AUDIENCE_FIELD = /(?:audience|readers|กลุ่มเป้าหมาย|กลุ่มผู้อ่าน|ผู้อ่าน)\s*:\s*([^,;]+)/iu;
const AUDIENCE_TH =
  /สำหรับ\s*((?:ผู้|ทีม|พนักงาน|นัก|เจ้าของ|คณะกรรมการ|บอร์ด|ฝ่าย|ซีอีโอ|ซีไอโอ|ระดับ|เอสเอ็มอี|สตาร์ทอัพ|ธุรกิจ\s?SME|SME|CEO|CIO|CTO|CFO|CMO|C-level|C-suite)[^\s,]*)/iu;

/** "for CIOs", "for retail executives", "audience: board", "สำหรับผู้บริหาร". */
export function extractAudience(text: string): Found<string | null> {
  const m = AUDIENCE_FIELD.exec(text) ?? AUDIENCE_EN.exec(text) ?? AUDIENCE_TH.exec(text);
  return take(text, m, (x) => clip(x[1]!.trim(), 80).trim(), null);
}

const KEYWORDS_EN = /(?:keywords?|key words|tags|seo terms)\s*[:：=]\s*(.+?)(?=\.\s|$)/iu;
const KEYWORDS_TH = /(?:คีย์เวิร์ด|คีเวิร์ด|คำสำคัญ|คำค้น)\s*[:：=]?\s*(.+?)(?=\.\s|$)/u;

/** "keywords: open banking, embedded finance", "คีย์เวิร์ด: ฟินเทค, open banking". */
export function extractKeywords(text: string): Found<string[]> {
  const m = KEYWORDS_EN.exec(text) ?? KEYWORDS_TH.exec(text);
  return take(text, m, (x) => splitKeywords(x[1]!), []);
}

/** Distinct (case-insensitively), trimmed, at most 10 of at most 60 characters each. */
export function splitKeywords(value: string | string[]): string[] {
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(/[,，、;|\n]/u));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of parts) {
    const word = clip(part.replace(/^[\s"'“”#*]+|[\s"'“”.*]+$/gu, ""), 60).trim();
    if (!/[\p{L}\p{N}]/u.test(word) || seen.has(word.toLowerCase())) continue;
    seen.add(word.toLowerCase());
    out.push(word);
    if (out.length === 10) break;
  }
  return out;
}
