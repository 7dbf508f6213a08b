import type { Language } from "../domain.ts";
import { STOP_WORDS } from "./stop-words.ts";

/**
 * Words in English and Thai. Thai has no spaces between words, so every word decision goes
 * through Intl.Segmenter (ICU's dictionary); splitting on spaces would count a Thai sentence as
 * one word and could cut a word in half.
 */

// ICU applies the same word rules and dictionaries whatever the locale; "th" documents intent.
const wordSegmenter = new Intl.Segmenter("th", { granularity: "word" });
const graphemeSegmenter = new Intl.Segmenter("th", { granularity: "grapheme" });

const THAI_CHAR = "\\u0E01-\\u0E4E";

/**
 * ICU may glue a Latin word onto the Thai words around it ("เรื่องAIใน" is one segment), so a
 * space is put where the script changes before counting or keying.
 */
function separateScripts(text: string): string {
  return text
    .replace(new RegExp(`([${THAI_CHAR}])(?=[A-Za-z0-9])`, "gu"), "$1 ")
    .replace(new RegExp(`([A-Za-z0-9])(?=[${THAI_CHAR}])`, "gu"), "$1 ");
}

/** Markdown syntax that is not prose: link targets, emphasis and heading marks, fences. */
function stripMarkdown(text: string): string {
  return text.replace(/\]\([^)\s]*\)/g, "]").replace(/[*_`#>|~[\]]+/g, " ");
}

/**
 * Word-like segments of `text` in order, as written (numbers count; spaces, punctuation and
 * symbols not). Callers that compare words lower-case them themselves. The hashing embedder's
 * vectors depend on this function: changing it changes every local vector, so the embedder's
 * model id (core/retrieval/hashing-embedder.ts) must change with it.
 */
export function words(text: string): string[] {
  const out: string[] = [];
  // Piece by piece (wordSegments): one segmenter over a whole draft cost ~8 ms a call.
  for (const s of wordSegments(separateScripts(text.normalize("NFC")))) {
    if (s.isWordLike) out.push(s.segment);
  }
  return out;
}

/** How long a draft is, the way a reader would count it (Thai included; markdown is not words). */
export function countWords(text: string): number {
  return words(stripMarkdown(text)).length;
}

/**
 * The words that say what a topic is about, for the topic cache: lower-cased, without
 * punctuation or stop words of either language, Thai segmented. Order is kept (see topicKey).
 */
export function normalizeTopicWords(text: string, language: Language): string[] {
  const locale = language === "th" ? "th" : "en";
  const out: string[] = [];
  for (const w of words(text.normalize("NFKC"))) {
    const word = w
      .toLocaleLowerCase(locale)
      .replace(/['’]s$/u, "")
      .replace(/[^\p{L}\p{M}\p{N}]+/gu, "");
    if (word && !STOP_WORDS.has(word)) out.push(word);
  }
  return out;
}

/** "AI in Retail!" and "retail AI" share one key: the sorted, distinct topic words. */
export function topicKey(text: string, language: Language): string {
  return [...new Set(normalizeTopicWords(text, language))].sort().join(" ");
}

/**
 * Offsets in `text` where it may be cut without splitting a word or a grapheme: next to
 * whitespace, or between two words that touch (Thai). Not between a word and the punctuation
 * glued to it, so "ends." never loses its full stop to the next chunk. Ascending, all > 0.
 */
export function wordBoundaries(text: string): number[] {
  const out: number[] = [];
  let prev: { segment: string; isWordLike?: boolean } | null = null;
  for (const s of wordSegments(text)) {
    if (prev && goodSeam(prev, s)) out.push(s.index);
    prev = s;
  }
  return out;
}

/**
 * ICU word segments of `text`, segmented piece by piece. V8's segment iterator costs time in
 * proportion to the whole string at every step, which made cutting a long chunk of many short
 * words slow. A piece ends where whitespace follows a non-space character: a word boundary is
 * certain there and no word rule (nor Thai's dictionary) looks across whitespace, so the
 * segments are exactly those of the whole text.
 */
function* wordSegments(text: string): Generator<{ segment: string; index: number; isWordLike?: boolean }> {
  const PIECE = 256;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + PIECE);
    while (end < text.length && !(/\s/u.test(text[end]!) && !/\s/u.test(text[end - 1]!))) end++;
    for (const s of wordSegmenter.segment(text.slice(start, end))) {
      yield { segment: s.segment, index: start + s.index, isWordLike: s.isWordLike };
    }
    start = end;
  }
}

function goodSeam(
  a: { segment: string; isWordLike?: boolean },
  b: { segment: string; isWordLike?: boolean },
): boolean {
  if (/^\s+$/u.test(a.segment) || /^\s+$/u.test(b.segment)) return true;
  return Boolean(a.isWordLike && b.isWordLike);
}

/** How far past `maxChars` to look so ICU sees the whole word (Thai runs included) around the cut. */
const LOOKAHEAD = 256;

/**
 * The last offset ≤ maxChars where `text` can be cut between words (0 when there is none).
 * Text past maxChars is read too, because where a Thai word ends depends on what follows.
 */
export function lastWordBoundary(text: string, maxChars: number): number {
  if (maxChars >= text.length) return text.length;
  const window = text.slice(0, maxChars + LOOKAHEAD);
  let best = 0;
  for (const b of wordBoundaries(window)) {
    if (b > maxChars) break;
    best = b;
  }
  return best;
}

/** The last offset ≤ maxChars that does not split a grapheme cluster (emoji, Thai vowel marks). */
export function lastGraphemeBoundary(text: string, maxChars: number): number {
  if (maxChars >= text.length) return text.length;
  // `containing` asks ICU for the one boundary; iterating every grapheme up to maxChars cost
  // time in proportion to the string at each step (quadratic).
  return (
    graphemeSegmenter.segment(text.slice(0, maxChars + 32)).containing(Math.max(0, maxChars))?.index ?? 0
  );
}

/** Every offset where a segment of ICU's word segmentation starts (for checking cuts in tests). */
export function segmentStarts(text: string): Set<number> {
  const out = new Set<number>([text.length]);
  for (const s of wordSegmenter.segment(text)) out.add(s.index);
  return out;
}
