/**
 * Where sentences end, in English and Thai. ICU finds English sentence ends; Thai writes no
 * full stop and ends a sentence (or clause) with a space instead, so a space after a Thai
 * letter counts as a sentence end too.
 */

const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });
const THAI_SPACE = /(?<=[\u0E01-\u0E5B])[ \t]+/gu;

/** Offsets (ascending, > 0, < text.length) where a new sentence starts. */
export function sentenceBoundaries(text: string): number[] {
  const found = new Set<number>();
  for (const s of sentenceSegmenter.segment(text)) if (s.index > 0) found.add(s.index);
  for (const m of text.matchAll(THAI_SPACE)) {
    const after = m.index + m[0].length;
    if (after > 0 && after < text.length) found.add(after);
  }
  return [...found].sort((a, b) => a - b);
}
