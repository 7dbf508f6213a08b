import type { Language, RevisionKind, Tone } from "../domain.ts";
import { extractAudience, extractLanguage, extractLength, extractTone } from "../request/extract.ts";
import { isHelpRequest } from "../request/rules.ts";
import { cleanText, stripMentions } from "../request/sanitize.ts";
import { detectLanguage } from "../text/language.ts";

/**
 * What a message in a conversation is, decided before any LLM call, in English and Thai.
 * Deterministic: phrase lists consumed left to right and anchored alternations without nested
 * quantifiers, so every check is linear in the message's length.
 *
 * The rule: stop, small talk, usage and help are recognised anywhere. Inside a draft's
 * conversation, an explicit "write a new article about X" is a new request and any other text
 * is a revision of the current draft. Outside a draft, an instruction ("make it shorter") has
 * nothing to revise, and anything else becomes a new request only if it names a topic (the
 * request parser's judgement, applied by the caller).
 */

export type { RevisionKind };

/** How a revision changes the current version's constraints; the text itself goes to the model. */
export interface RevisionPlan {
  kind: RevisionKind;
  /** A word count, or relative to the current version's length. */
  targetWords?: number | "shorter" | "longer";
  /** A tone, or the next one in the shared order ("another angle"). */
  tone?: Tone | "next";
  /** The draft's new language; "other" flips English and Thai. */
  language?: Language | "other";
  audience?: string;
  /** The person's words, cleaned: what the model is asked to do. */
  instruction: string;
}

export type Intent =
  | { kind: "stop"; language: Language }
  | { kind: "help"; language: Language }
  | { kind: "small_talk"; language: Language }
  | { kind: "usage"; language: Language }
  | { kind: "revision"; language: Language; plan: RevisionPlan }
  /** Parse it as a request (outside a draft, the parser may still answer with guidance). */
  | { kind: "new_request"; language: Language }
  /** An instruction with no draft to apply it to. */
  | { kind: "no_draft"; language: Language };

export interface IntentContext {
  /** A current draft exists in this conversation. */
  inDraft: boolean;
  /** The draft's language, for messages without letters (👍). */
  draftLanguage?: Language;
  botNames?: readonly string[];
}

/** Longest first, so "thank you" is taken before "thank". */
const byLength = (phrases: string[]) => [...new Set(phrases)].sort((a, b) => b.length - a.length);

const STOP = byLength([
  "stop writing",
  "stop it",
  "stop that",
  "stop now",
  "stop",
  "cancel it",
  "cancel that",
  "cancel this",
  "cancel",
  "abort",
  "halt",
  "never mind",
  "nevermind",
  "nvm",
  "หยุดเขียน",
  "หยุดก่อน",
  "หยุด",
  "ยกเลิก",
  "พอแล้ว",
  "ไม่เอาแล้ว",
]);

const SMALL_TALK = byLength([
  "thank you very much",
  "thank you so much",
  "thanks a lot",
  "thank you",
  "thanks",
  "thank",
  "thx",
  "tysm",
  "ty",
  "cheers",
  "okay",
  "ok",
  "kk",
  "k",
  "great job",
  "great",
  "perfect",
  "nice one",
  "nice",
  "cool",
  "awesome",
  "good job",
  "good",
  "well done",
  "got it",
  "sounds good",
  "looks good",
  "love it",
  "lgtm",
  "excellent",
  "wonderful",
  "amazing",
  "brilliant",
  "noted",
  "sure",
  "yes",
  "yep",
  "alright",
  "so",
  "very",
  "much",
  "really",
  "ขอบคุณมาก",
  "ขอบคุณ",
  "ขอบใจ",
  "โอเค",
  "ได้เลย",
  "ได้",
  "เยี่ยมมาก",
  "เยี่ยม",
  "ดีมาก",
  "ดีเลย",
  "สุดยอด",
  "เข้าใจแล้ว",
  "รับทราบ",
  "เรียบร้อย",
  "ok",
  "จ้า",
  "จ้ะ",
]);

/** Politeness that changes nothing: consumed around other phrases. */
const PARTICLES = byLength([
  "ครับผม",
  "ครับ",
  "คับ",
  "ค่ะ",
  "คะ",
  "ค่า",
  "นะ",
  "น้า",
  "จ้า",
  "ฮะ",
  "ก่อน",
  "please",
  "pls",
  "bot",
]);

const USAGE_EN =
  /(?<!\p{L})(?:quota|quotas|how many (?:articles? |drafts? )?(?:do i have |have i got |are )?left|how much (?:is |do i have )?left|(?:my|the) (?:limit|limits|usage|plan|allowance|budget)|remaining (?:articles?|quota|drafts?)|articles? left|limit left|usage left)(?!\p{L})/iu;
const USAGE_TH = /โควตา|โควต้า|เหลือกี่|เหลือเท่าไ|ใช้ไปกี่|ใช้ไปเท่าไ|ลิมิต|สิทธิ์เหลือ|สิทธิ์การใช้/u;

/** An explicit ask for another article, inside a draft's conversation. */
const NEW_REQUEST_EN =
  /^(?:(?:please|pls|can you|could you|now)[\s,]+)?(?:(?:write|draft|create|generate|compose|start)\s+(?:me\s+|us\s+)?(?:an?\s+)?(?:new|another|separate|second|different)\s+(?:article|piece|post|blog|draft)|new (?:article|topic|draft|piece)(?!\p{L})|(?:write|draft|compose)\s+(?:me\s+)?an? (?:article|piece|post|blog) (?:about|on)\s)/iu;
const NEW_REQUEST_TH =
  /^(?:ช่วย|ขอ|รบกวน)?\s*(?:เขียน|ร่าง)?\s*บทความ\s*(?:ใหม่|อื่น|อีกเรื่อง|อีกบทความ)|^(?:ช่วย|รบกวน)?\s*(?:เขียน|ร่าง)\s*บทความ\s*(?:เรื่อง|เกี่ยวกับ)/u;

/** Instructions that can only mean "change the draft", even where there is none. */
const INSTRUCTION_EN =
  /^(?:(?:please|pls|can you|could you|would you|now)[\s,]+)?(?:make (?:it|this|the|that)(?!\p{L})|shorten(?!\p{L})|shorter(?!\p{L})|longer(?!\p{L})|condense(?!\p{L})|translate(?!\p{L})|rewrite(?!\p{L})|rephrase(?!\p{L})|reword(?!\p{L})|regenerate(?!\p{L})|simplify (?:it|this|the)(?!\p{L})|expand (?:it|this|the|on)(?!\p{L})|add (?:a|an|another|more|some|the|one)(?!\p{L})|remove (?:the|that|this)(?!\p{L})|drop (?:the|that|this)(?!\p{L})|fix (?:the|a|that|this)(?!\p{L})|correct (?:the|that|this)(?!\p{L})|change (?:it|the|this|that)(?!\p{L})|focus (?:more )?on(?!\p{L})|more (?:formal|casual|concise|detail|detailed|visionary|practical|analytical)(?!\p{L})|less (?:formal|technical|jargon)(?!\p{L})|(?:another|different|new) (?:angle|version|take)(?!\p{L})|try again(?!\p{L})|too (?:long|short)(?!\p{L}))/iu;
const INSTRUCTION_TH =
  /^(?:ช่วย|รบกวน|ขอให้)?\s*(?:ทำให้(?:มัน|บทความ)?\s*(?:สั้น|ยาว|กระชับ|เป็นทางการ|อ่านง่าย|ง่าย)|สั้นลง|ยาวขึ้น|ย่อ(?:ให้|ลง|บทความ)|แปล|เขียนใหม่|เพิ่ม(?:หัวข้อ|ส่วน|ย่อหน้า|เนื้อหา|รายละเอียด)|ตัด(?:หัวข้อ|ส่วน|ย่อหน้า)|ลบ(?:หัวข้อ|ส่วน|ย่อหน้า)|แก้(?:ไข|ข้อมูล|ตัวเลข|คำ)|เน้น|เปลี่ยน(?:โทน|ภาษา|มุม)|มุมอื่น|มุมมองใหม่|อีกมุม|เป็นทางการ|ทางการขึ้น|เป็นกันเอง)/u;

const SHORTER =
  /(?<!\p{L})(?:shorter|shorten|condense|condensed|more concise|tighten|too long|cut it down|trim it|brief(?:er)?)(?!\p{L})|สั้นลง|สั้นกว่า|ให้สั้น|กระชับ|ย่อ/iu;
const LONGER =
  /(?<!\p{L})(?:longer|lengthen|expand it|expand the|more detail|more detailed|elaborate|too short)(?!\p{L})|ยาวขึ้น|ยาวกว่า|ให้ยาว|ขยาย|ละเอียดขึ้น|เพิ่มรายละเอียด/iu;
const ANGLE =
  /(?<!\p{L})(?:another angle|different angle|new angle|other angle|another take|different take|another version|try again|regenerate|rewrite it|rewrite this)(?!\p{L})|มุมอื่น|มุมมองใหม่|อีกมุม|เขียนใหม่|อีกแบบ/iu;
const TRANSLATE = /(?<!\p{L})translat(?:e|ion)(?!\p{L})|แปล/iu;
const TO_LANGUAGE_EN = /(?<!\p{L})(?:to|into|in)\s+(thai|english)(?!\p{L})/iu;
const TO_LANGUAGE_TH = /(?:เป็น)?\s*(?:ภาษา)?(ไทย|อังกฤษ)/u;
const TONE_CHANGES: Array<[RegExp, Tone]> = [
  [/(?<!\p{L})(?:more formal|formal|professional|serious)(?!\p{L})|ทางการ/iu, "executive"],
  [
    /(?<!\p{L})(?:more casual|casual|less formal|friendlier|conversational|simpler|plain)(?!\p{L})|เป็นกันเอง|ไม่เป็นทางการ|อ่านง่าย/iu,
    "practical",
  ],
  [/(?<!\p{L})(?:bolder|more inspiring|inspiring|more visionary)(?!\p{L})/iu, "visionary"],
  [/(?<!\p{L})(?:more analytical|more data|more evidence|data-driven)(?!\p{L})/iu, "analytical"],
];

export function classifyIntent(raw: string, ctx: IntentContext): Intent {
  const text = stripMentions(cleanText(raw), ctx.botNames);
  const language = text && /\p{L}/u.test(text) ? detectLanguage(text) : (ctx.draftLanguage ?? "en");
  const lower = text.toLowerCase();
  if (consumedBy(lower, STOP)) return { kind: "stop", language };
  if (isSmallTalk(lower)) return { kind: "small_talk", language };
  if (isHelpRequest(text)) return { kind: "help", language };
  if (isUsageQuestion(lower)) return { kind: "usage", language };
  if (!ctx.inDraft) {
    const instruction = INSTRUCTION_EN.test(text) || INSTRUCTION_TH.test(text);
    return instruction ? { kind: "no_draft", language } : { kind: "new_request", language };
  }
  if (NEW_REQUEST_EN.test(text) || NEW_REQUEST_TH.test(text)) return { kind: "new_request", language };
  return { kind: "revision", language, plan: planRevision(text) };
}

/** A revision's kind and constraint changes; any instruction without one is a free-form edit. */
export function planRevision(text: string): RevisionPlan {
  const instruction = text.trim();
  if (TRANSLATE.test(text) || (languageOnly(text) !== null && !SHORTER.test(text)))
    return { kind: "translate", language: targetLanguage(text) ?? "other", instruction };
  if (SHORTER.test(text)) return { kind: "shorter", targetWords: "shorter", instruction };
  if (LONGER.test(text)) return { kind: "longer", targetWords: "longer", instruction };
  const length = extractLength(text).value;
  if (length !== null) return { kind: "length", targetWords: length, instruction };
  if (ANGLE.test(text)) return { kind: "angle", tone: "next", instruction };
  for (const [pattern, tone] of TONE_CHANGES)
    if (pattern.test(text)) return { kind: "tone", tone, instruction };
  const tone = extractTone(text).value;
  if (tone) return { kind: "tone", tone, instruction };
  const audience = extractAudience(text).value;
  if (audience) return { kind: "audience", audience, instruction };
  return { kind: "edit", instruction };
}

/** "in Thai", "ภาษาอังกฤษ", "เป็นภาษาไทย": the whole message asks for another language. */
function languageOnly(text: string): Language | null {
  const found = extractLanguage(text);
  if (found.value === null) return null;
  return /\p{L}/u.test(stripParticles(found.rest.toLowerCase())) ? null : found.value;
}

function targetLanguage(text: string): Language | null {
  const en = TO_LANGUAGE_EN.exec(text);
  if (en) return en[1]!.toLowerCase() === "thai" ? "th" : "en";
  const th = TO_LANGUAGE_TH.exec(text);
  if (th) return th[1] === "ไทย" ? "th" : "en";
  return extractLanguage(text).value;
}

function isSmallTalk(lower: string): boolean {
  // Emoji and punctuation alone (👍, 🙏, "!!"), but not an empty message.
  if (lower && !/[\p{L}\p{N}]/u.test(lower)) return /\p{Extended_Pictographic}/u.test(lower);
  return consumedBy(lower, SMALL_TALK);
}

/** Short questions about the person's numbers; a long message naming quotas is a topic. */
function isUsageQuestion(lower: string): boolean {
  if (lower.length > 80) return false;
  if (/(?<!\p{L})(?:write|article about|draft about|piece on)(?!\p{L})|เขียน|บทความเรื่อง/iu.test(lower))
    return false;
  return USAGE_EN.test(lower) || USAGE_TH.test(lower);
}

const SEPARATOR = /^[\s,.!?~:;'"()*_-]+/u;
const PICTOGRAPH = /^(?:\p{Extended_Pictographic}|\u200D|\uFE0F|[\u{1F3FB}-\u{1F3FF}])+/u;

/**
 * True when the whole text is made of these phrases (and particles, separators, emoji), each
 * taken as a whole word. Every step removes at least one character: linear overall.
 */
function consumedBy(lower: string, phrases: readonly string[]): boolean {
  let rest = lower;
  let matched = false;
  for (let guard = 0; guard < 64; guard++) {
    rest = rest.replace(SEPARATOR, "").replace(PICTOGRAPH, "");
    if (!rest) return matched;
    const phrase = phrases.find((p) => startsWithWord(rest, p));
    if (phrase) {
      matched = true;
      rest = rest.slice(phrase.length);
      continue;
    }
    const particle = PARTICLES.find((p) => startsWithWord(rest, p));
    if (!particle) return false;
    rest = rest.slice(particle.length);
  }
  return false;
}

/** Thai words run together, so only Latin phrases need a boundary after them. */
function startsWithWord(text: string, phrase: string): boolean {
  if (!text.startsWith(phrase)) return false;
  if (!/[a-z]$/.test(phrase)) return true;
  return !/^[a-z]/.test(text.slice(phrase.length));
}

function stripParticles(text: string): string {
  let rest = text.replace(SEPARATOR, "");
  for (let guard = 0; guard < 16 && rest; guard++) {
    const particle = PARTICLES.find((p) => startsWithWord(rest, p));
    if (!particle) break;
    rest = rest.slice(particle.length).replace(SEPARATOR, "");
  }
  return rest;
}
