import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ArticleRequest, Language, Source } from "../domain.ts";
import { lastGraphemeBoundary, lastWordBoundary } from "../text/words.ts";
import { deliveredSoFar } from "./prompt.ts";
import type { GenerationEvent, Generator, Prompt, StreamOptions } from "./types.ts";

export const OFFLINE_MODEL = "offline-composer";

/**
 * The generator when no language model is configured. It cannot write prose, so it does not
 * pretend to: it returns a research brief and an outline built from the request and the
 * retrieved excerpts, labelled as such on its first line, streamed in small deltas so the
 * rest of the pipeline (chunking, delivery, records) runs exactly as with a model.
 */
export class OfflineComposer implements Generator {
  readonly model = OFFLINE_MODEL;
  readonly offline = true;

  async *stream(prompt: Prompt, opts: StreamOptions = {}): AsyncGenerator<GenerationEvent> {
    const brief = prompt.revision
      ? composeRevisedBrief(prompt.request, prompt.sourcesUsed, prompt.revision.instruction)
      : composeBrief(prompt.request, prompt.sourcesUsed);
    const text = remainder(brief, deliveredSoFar(prompt));
    let sent = 0;
    for (const piece of pieces(text, prompt.request.language)) {
      opts.signal?.throwIfAborted();
      yield { type: "delta", text: piece };
      // A long brief should not hold the event loop; other jobs and health checks share it.
      if (++sent % 64 === 0) await yieldToEventLoop();
    }
    yield { type: "usage", model: OFFLINE_MODEL, inputTokens: 0, outputTokens: 0 };
  }
}

interface Words {
  label: (topic: string) => string;
  title: (topic: string) => string;
  question: string;
  ask: (r: ArticleRequest) => string;
  keywords: string;
  references: string;
  noReferences: string;
  outline: string;
  outlineSteps: (r: ArticleRequest, sources: Source[], words: number[]) => string[];
  nextSteps: string;
  steps: string[];
}

const EN: Words = {
  label: (topic) =>
    `**Outline composed offline, without a language model**: a research brief for "${topic}", not a finished article.`,
  title: (topic) => `# Research brief: ${topic}`,
  question: "## The question",
  ask: (r) =>
    `What should ${r.audience}${r.industry ? ` in ${r.industry}` : ""} know and do about ${r.topic}? ` +
    `The article should run about ${r.targetWords} words, in the ${r.tone} tone.`,
  keywords: "Keywords to work in",
  references: "## What the references say",
  noReferences:
    "No reference article in the corpus matched this topic; the outline below rests on the request alone.",
  outline: "## Outline of the article to write",
  outlineSteps: (r, sources, [hook, section, close]) => [
    `**Title**: a sharp, specific headline about ${r.topic}.`,
    `**Hook** (about ${hook} words): why this matters to ${r.audience} now.`,
    ...sectionIdeas(sources, EN_SECTIONS).map(
      (idea) =>
        `**Section: ${idea.heading}** (about ${section} words)${idea.ref ? `: build on reference [${idea.ref}] and its example` : ""}.`,
    ),
    `**What to do next** (about ${close} words): three to five actions for ${r.audience}.`,
  ],
  nextSteps: "## Suggested next steps",
  steps: [
    "Check each figure against the full reference before it goes into the article.",
    "Add one example from your own market or organisation.",
    "A full draft needs the writing model, which is not connected here; an editor can write from this outline.",
  ],
};

const TH: Words = {
  label: (topic) =>
    `**โครงร่างนี้จัดทำแบบออฟไลน์ โดยไม่ใช้โมเดลภาษา**: เป็นสรุปข้อมูลสำหรับเรื่อง "${topic}" ยังไม่ใช่บทความฉบับสมบูรณ์`,
  title: (topic) => `# สรุปข้อมูลเพื่อเขียนบทความ: ${topic}`,
  question: "## โจทย์ของบทความ",
  ask: (r) =>
    `${r.audience}${r.industry ? `ในอุตสาหกรรม ${r.industry}` : ""} ควรรู้และควรทำอะไรเกี่ยวกับ ${r.topic} ` +
    `บทความควรมีความยาวประมาณ ${r.targetWords} คำ`,
  keywords: "คำสำคัญที่ควรใช้",
  references: "## แหล่งอ้างอิงกล่าวไว้อย่างไร",
  noReferences: "ไม่พบบทความอ้างอิงในคลังที่ตรงกับหัวข้อนี้ โครงร่างด้านล่างจึงอิงจากคำขอเพียงอย่างเดียว",
  outline: "## โครงร่างบทความที่จะเขียน",
  outlineSteps: (r, sources, [hook, section, close]) => [
    `**ชื่อเรื่อง**: พาดหัวที่คมและเจาะจงเกี่ยวกับ ${r.topic}`,
    `**บทนำ** (ประมาณ ${hook} คำ): ทำไมเรื่องนี้สำคัญต่อ${r.audience}ในตอนนี้`,
    ...sectionIdeas(sources, TH_SECTIONS).map(
      (idea) =>
        `**หัวข้อ: ${idea.heading}** (ประมาณ ${section} คำ)${idea.ref ? ` ต่อยอดจากแหล่งอ้างอิง [${idea.ref}] และตัวอย่างในนั้น` : ""}`,
    ),
    `**สิ่งที่ควรทำต่อ** (ประมาณ ${close} คำ): ข้อเสนอเชิงปฏิบัติสามถึงห้าข้อสำหรับ${r.audience}`,
  ],
  nextSteps: "## ขั้นตอนถัดไปที่แนะนำ",
  steps: [
    "ตรวจสอบตัวเลขทุกตัวกับเอกสารอ้างอิงฉบับเต็มก่อนนำไปใช้ในบทความ",
    "เพิ่มตัวอย่างจากตลาดหรือองค์กรของคุณเองอย่างน้อยหนึ่งตัวอย่าง",
    "การเขียนบทความฉบับเต็มต้องใช้โมเดลภาษาซึ่งยังไม่ได้เชื่อมต่อในระบบนี้ บรรณาธิการสามารถเขียนต่อจากโครงร่างนี้ได้",
  ],
};

const EN_SECTIONS = [
  "Where the change is happening",
  "What leading companies are doing",
  "Risks and trade-offs",
];
const TH_SECTIONS = ["การเปลี่ยนแปลงกำลังเกิดขึ้นที่ไหน", "องค์กรชั้นนำกำลังทำอะไร", "ความเสี่ยงและสิ่งที่ต้องแลก"];

/**
 * The brief is deterministic, so a retried job resumes exactly where delivery stopped. If the
 * delivered text is not a prefix (the request or corpus changed meanwhile) the brief is sent
 * whole after a break: a visible repeat beats a silently spliced document.
 */
function remainder(brief: string, delivered: string): string {
  if (!delivered) return brief;
  return brief.startsWith(delivered) ? brief.slice(delivered.length) : `\n\n---\n\n${brief}`;
}

/** One section per reference (up to three), named after it; generic sections when there are none. */
function sectionIdeas(sources: Source[], generic: string[]): { heading: string; ref?: number }[] {
  if (!sources.length) return generic.map((heading) => ({ heading }));
  return sources.slice(0, 3).map((s, i) => ({ heading: s.title, ref: i + 1 }));
}

export function composeBrief(request: ArticleRequest, sources: Source[]): string {
  const w = request.language === "th" ? TH : EN;
  const sections = Math.max(1, Math.min(3, sources.length || 3));
  const budget = [0.1, 0.75 / sections, 0.15].map(
    (share) => Math.round((request.targetWords * share) / 10) * 10 || 10,
  );
  const references = sources.length
    ? sources.map((s, i) => `**[${i + 1}] ${s.title}**\n> ${condense(s.excerpt)}`).join("\n\n")
    : w.noReferences;
  return `${[
    w.label(request.topic),
    w.title(request.topic),
    [
      w.question,
      w.ask(request),
      request.keywords.length ? `${w.keywords}: ${request.keywords.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("\n\n"),
    `${w.references}\n\n${references}`,
    `${w.outline}\n\n${w
      .outlineSteps(request, sources, budget)
      .map((step, i) => `${i + 1}. ${step}`)
      .join("\n")}`,
    `${w.nextSteps}\n\n${w.steps.map((step) => `- ${step}`).join("\n")}`,
  ].join("\n\n")}\n`;
}

const REVISED: Record<
  Language,
  { label: (topic: string, instruction: string) => string; asked: string; note: string }
> = {
  en: {
    label: (topic, instruction) =>
      `**Revised outline composed offline, without a language model**: the brief for "${topic}" redone for "${instruction}", not a finished article.`,
    asked: "## The revision asked for",
    note: "The outline above already has the revision's length, tone, audience and language; an editor applies the rest of the instruction when writing from it.",
  },
  th: {
    label: (topic, instruction) =>
      `**โครงร่างฉบับแก้ไขนี้จัดทำแบบออฟไลน์ โดยไม่ใช้โมเดลภาษา**: สรุปข้อมูลเรื่อง "${topic}" ที่ปรับตามคำขอ "${instruction}" ยังไม่ใช่บทความฉบับสมบูรณ์`,
    asked: "## สิ่งที่ขอให้แก้ไข",
    note: "โครงร่างด้านบนปรับความยาว โทน กลุ่มผู้อ่าน และภาษาตามคำขอแล้ว ส่วนที่เหลือของคำขอ บรรณาธิการนำไปใช้ตอนเขียนบทความ",
  },
};

/**
 * A revision without a model: the brief recomposed for the revised constraints (half the
 * words for "shorter", the next tone, the other language), labelled as a revision, with the
 * instruction written out for the editor. Honest: it says what it did and what it could not.
 */
export function composeRevisedBrief(request: ArticleRequest, sources: Source[], instruction: string): string {
  const w = REVISED[request.language];
  const brief = composeBrief(request, sources);
  const body = brief.slice(brief.indexOf("\n\n") + 2).trimEnd();
  const asked = `${w.asked}\n\n> ${instruction.replace(/\s+/g, " ").trim()}\n\n${w.note}`;
  return `${w.label(request.topic, instruction.replace(/\s+/g, " ").trim())}\n\n${body}\n\n${asked}\n`;
}

/**
 * The excerpt's opening, cut at a sentence or word boundary: enough to judge it, short enough to
 * scan. The word boundary is the core's (read on the whole text, so a Thai word is never split).
 */
export function condense(excerpt: string, maxChars = 320): string {
  const text = excerpt.replace(/\s+/g, " ").trim();
  if (text.length <= maxChars) return text;
  const head = text.slice(0, maxChars);
  const sentenceEnd = Math.max(head.lastIndexOf(". "), head.lastIndexOf("! "), head.lastIndexOf("? "));
  if (sentenceEnd > maxChars * 0.5) return head.slice(0, sentenceEnd + 1);
  const cut = lastWordBoundary(text, maxChars) || lastGraphemeBoundary(text, maxChars);
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** Small pieces that never split a word or a grapheme, like a model's token stream would not. */
function* pieces(text: string, language: Language, size = 24): Iterable<string> {
  let piece = "";
  for (const { segment } of new Intl.Segmenter(language, { granularity: "word" }).segment(text)) {
    piece += segment;
    if (piece.length >= size) {
      yield piece;
      piece = "";
    }
  }
  if (piece) yield piece;
}
