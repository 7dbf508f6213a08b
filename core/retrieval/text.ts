import { decode, encode } from "gpt-tokenizer/model/gpt-4o";
import type { Language } from "../domain.ts";

/**
 * Text helpers for the retrieval step. Thai has no spaces between words, so words come from
 * Intl.Segmenter (ICU's Thai dictionary), never from splitting on spaces. Tokens are counted with
 * the o200k tokenizer of the models we deploy, the same count the prompt budget uses.
 */

const wordSegmenter = new Intl.Segmenter("th", { granularity: "word" });
const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const THAI = /[\u0E00-\u0E7F]/g;
const LATIN = /[A-Za-z]/g;

export function countTokens(text: string): number {
  return encode(text).length;
}

/**
 * Word-like segments in order, lower-cased (numbers included, punctuation and spaces not).
 * ICU glues a Latin word to the Thai around it ("เรื่องAIใน" is one segment), so a space goes
 * where the script changes first. The hashing embedder's vectors depend on this function:
 * changing it changes every local vector, so the embedder's model id must change with it.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  const spaced = text
    .normalize("NFC")
    .replace(/([\u0E01-\u0E4E])(?=[A-Za-z0-9])|([A-Za-z0-9])(?=[\u0E01-\u0E4E])/g, "$1$2 ");
  for (const s of wordSegmenter.segment(spaced)) if (s.isWordLike) out.push(s.segment.toLowerCase());
  return out;
}

/** Thai when Thai letters outnumber Latin ones: English brand names in a Thai article do not flip it. */
export function detectLanguage(text: string): Language {
  const thai = text.match(THAI)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  return thai > latin ? "th" : "en";
}

/**
 * Sentence-sized units. ICU finds English sentences; Thai marks sentence and clause ends with a
 * space instead of a full stop, so text with Thai letters is split at spaces as well.
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of sentenceSegmenter.segment(text)) {
    const parts = /[\u0E00-\u0E7F]/.test(segment) ? splitThaiPhrases(segment) : [segment];
    for (const p of parts) if (p.trim()) out.push(p.trim());
  }
  return out;
}

/** Splits at spaces next to Thai letters only, so "AI ช่วย" stays whole but two Thai phrases part. */
function splitThaiPhrases(segment: string): string[] {
  return segment.split(/(?<=[\u0E00-\u0E7F\u0E2F\u0E46)"”.!?])\s+(?=[\u0E00-\u0E7F"“(A-Z0-9])/u);
}

/**
 * The longest prefix of `text` within `maxTokens` that ends at a word boundary of the original
 * text (so a Thai word is never split), with "…" appended when anything was cut.
 */
export function cutAtWord(text: string, maxTokens: number): string {
  const tokens = encode(text);
  if (tokens.length <= maxTokens) return text;
  const head = decode(tokens.slice(0, Math.max(1, maxTokens - 1))).replace(/\uFFFD+$/, "");
  let boundary = 0;
  for (const s of wordSegmenter.segment(text)) {
    const end = s.index + s.segment.length;
    if (end > head.length) break;
    if (s.isWordLike) boundary = end;
  }
  return `${text.slice(0, boundary).replace(/[\s,;:–—-]+$/u, "")}…`;
}
