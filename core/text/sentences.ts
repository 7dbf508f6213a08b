/**
 * Sentences in English and Thai. ICU finds English sentence ends; Thai writes no full stop and
 * ends a sentence (or clause) with a space instead, so a space next to Thai letters ends one too.
 */

const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const THAI_SPACE = /(?<=[\u0E01-\u0E5B])[ \t]+/gu;

/**
 * ICU sentence segments of `text`, with their offsets, segmented one line at a time. V8's
 * segment iterator costs time in proportion to the whole string at every step, so 100 KB of
 * short lines took seconds; a line feed always ends a sentence (UAX #29 rule SB4), so
 * segmenting each line on its own gives exactly the same segments in linear time. A line
 * longer than WINDOW ("![a](" repeated: every "!" ends a sentence) is segmented a window at a
 * time, restarting at the last sentence start found at least MARGIN before the window's end;
 * only a sentence end decided by more than MARGIN characters of lookahead could differ.
 */
const WINDOW = 2_048;
const MARGIN = 256;

function* sentenceSegments(text: string): Generator<{ segment: string; index: number }> {
  for (let start = 0; start < text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl + 1;
    yield* lineSegments(text, start, end);
    start = end;
  }
}

function* lineSegments(
  text: string,
  from: number,
  to: number,
): Generator<{ segment: string; index: number }> {
  let start = from;
  while (to - start > WINDOW) {
    const found = [...sentenceSegmenter.segment(text.slice(start, start + WINDOW))];
    const restart = found.findLastIndex((s, k) => k > 0 && s.index <= WINDOW - MARGIN);
    if (restart <= 0) break; // one long sentence: segment the rest as a whole
    for (const s of found.slice(0, restart)) yield { segment: s.segment, index: start + s.index };
    start += found[restart]!.index;
  }
  for (const s of sentenceSegmenter.segment(text.slice(start, to))) {
    yield { segment: s.segment, index: start + s.index };
  }
}

/** Offsets (ascending, > 0, < text.length) where a new sentence starts. */
export function sentenceBoundaries(text: string): number[] {
  const found = new Set<number>();
  for (const s of sentenceSegments(text)) if (s.index > 0) found.add(s.index);
  for (const m of text.matchAll(THAI_SPACE)) {
    const after = m.index + m[0].length;
    if (after > 0 && after < text.length) found.add(after);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * Sentence-sized units, trimmed, for retrieval excerpts: ICU's sentences, with text holding Thai
 * letters split at spaces as well. The Thai split is narrower than sentenceBoundaries' (it also
 * wants Thai, a quote, a capital or a digit after the space), so "AI ช่วย" stays one unit.
 */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of sentenceSegments(text)) {
    const parts = /[\u0E00-\u0E7F]/.test(segment) ? splitThaiPhrases(segment) : [segment];
    for (const p of parts) if (p.trim()) out.push(p.trim());
  }
  return out;
}

/** Splits at spaces next to Thai letters only, so "AI ช่วย" stays whole but two Thai phrases part. */
function splitThaiPhrases(segment: string): string[] {
  return segment.split(/(?<=[\u0E00-\u0E7F\u0E2F\u0E46)"”.!?])\s+(?=[\u0E00-\u0E7F"“(A-Z0-9])/u);
}
