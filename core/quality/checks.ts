import type { ArticleRequest } from "../domain.ts";
import { detectLanguage } from "../text/language.ts";
import { countWords } from "../text/words.ts";
import { articleOutline } from "./structure.ts";
import { longestSharedRun, ngrams, normalizeForSearch, wordSequence } from "./text.ts";

/**
 * Deterministic checks of one delivered draft: no model, no cost, the same answer every time.
 * Each check measures one thing a reader or an editor would notice, and says pass or fail with
 * a 0–1 credit the score weighs (a draft 10 % long is not as bad as one half missing).
 */

export type CheckName = "length" | "structure" | "repetition" | "overlap" | "language" | "keywords" | "style";

export interface CheckResult {
  name: CheckName;
  passed: boolean;
  /** 0 (as bad as it gets) to 1 (nothing to fix). */
  credit: number;
  /** What was measured, for the console and `npm run eval --json`. */
  measured: Record<string, number | string | boolean | string[]>;
}

export interface CheckInput {
  draft: string;
  request: ArticleRequest;
  /** The tier's maximum article length: a draft well past it costs more than the plan pays for. */
  maxWords?: number | null;
  /** The retrieved reference excerpts the prompt carried. */
  excerpts: readonly string[];
  /** House-style phrases to avoid (an admin's list). */
  avoidPhrases: readonly string[];
}

/** Within this share of the asked length counts as on length (models rarely land exactly). */
export const LENGTH_TOLERANCE = { short: 0.2, long: 0.25 } as const;
/** Past the tier's cap by more than this share fails even when the request asked for more. */
const CAP_TOLERANCE = 0.1;
/** Share of repeated 4-grams above which a draft reads as looping; prose sits near 0–3 %. */
export const MAX_REPEATED_SHARE = 0.08;
/** Copying: a run this long (words) from an excerpt, or this share of 8-grams shared. */
export const MAX_SHARED_RUN = 30;
export const MAX_SHARED_8GRAM_SHARE = 0.15;

export function runChecks(input: CheckInput): CheckResult[] {
  const seq = wordSequence(input.draft);
  return [
    lengthCheck(input),
    structureCheck(input.draft),
    repetitionCheck(seq),
    overlapCheck(seq, input.excerpts),
    languageCheck(input),
    keywordsCheck(input),
    styleCheck(input),
  ];
}

function lengthCheck({ draft, request, maxWords }: CheckInput): CheckResult {
  const words = countWords(draft);
  const ratio = request.targetWords > 0 ? words / request.targetWords : 1;
  const overCap = maxWords ? words > maxWords * (1 + CAP_TOLERANCE) : false;
  const off = ratio < 1 ? 1 - ratio - LENGTH_TOLERANCE.short : ratio - 1 - LENGTH_TOLERANCE.long;
  const passed = off <= 0 && !overCap;
  // Half the asked length beyond the tolerance takes the whole credit away.
  const credit = overCap ? 0 : clamp01(1 - Math.max(0, off) / 0.5);
  return {
    name: "length",
    passed,
    credit,
    measured: {
      words,
      targetWords: request.targetWords,
      ratio: round2(ratio),
      overCap,
      maxWords: maxWords ?? 0,
    },
  };
}

function structureCheck(draft: string): CheckResult {
  const o = articleOutline(draft);
  const parts = [o.title, o.intro, o.sections >= 3, o.closing];
  const present = parts.filter(Boolean).length;
  return {
    name: "structure",
    passed: present === parts.length,
    credit: present / parts.length,
    measured: { title: o.title, intro: o.intro, sections: o.sections, closing: o.closing },
  };
}

function repetitionCheck(seq: readonly string[]): CheckResult {
  const grams = ngrams(seq, 4);
  const seen = new Set<string>();
  let repeated = 0;
  for (const g of grams) {
    if (seen.has(g)) repeated++;
    else seen.add(g);
  }
  const share = grams.length ? repeated / grams.length : 0;
  return {
    name: "repetition",
    passed: share <= MAX_REPEATED_SHARE,
    // A third of the text repeated is a loop; nothing is left to credit.
    credit: clamp01(1 - Math.max(0, share - MAX_REPEATED_SHARE) / 0.25),
    measured: { repeatedShare: round2(share), fourGrams: grams.length },
  };
}

function overlapCheck(seq: readonly string[], excerpts: readonly string[]): CheckResult {
  let longest = 0;
  const excerptGrams = new Set<string>();
  for (const e of excerpts) {
    const eseq = wordSequence(e);
    longest = Math.max(longest, longestSharedRun(seq, eseq));
    for (const g of ngrams(eseq, 8)) excerptGrams.add(g);
  }
  const grams = ngrams(seq, 8);
  const shared = grams.filter((g) => excerptGrams.has(g)).length;
  const share = grams.length ? shared / grams.length : 0;
  const passed = longest < MAX_SHARED_RUN && share <= MAX_SHARED_8GRAM_SHARE;
  const runCredit = clamp01(1 - Math.max(0, longest - MAX_SHARED_RUN / 2) / MAX_SHARED_RUN);
  const shareCredit = clamp01(1 - Math.max(0, share - MAX_SHARED_8GRAM_SHARE / 2) / 0.3);
  return {
    name: "overlap",
    passed,
    credit: passed ? 1 : Math.min(runCredit, shareCredit),
    measured: { longestSharedRun: longest, shared8GramShare: round2(share), excerpts: excerpts.length },
  };
}

function languageCheck({ draft, request }: CheckInput): CheckResult {
  const written = detectLanguage(draft);
  const passed = written === request.language;
  return { name: "language", passed, credit: passed ? 1 : 0, measured: { written, asked: request.language } };
}

function keywordsCheck({ draft, request }: CheckInput): CheckResult {
  const text = normalizeForSearch(draft);
  const missing = request.keywords.filter((k) => !text.includes(normalizeForSearch(k).trim()));
  const asked = request.keywords.length;
  return {
    name: "keywords",
    passed: missing.length === 0,
    credit: asked ? (asked - missing.length) / asked : 1,
    measured: { asked, missing },
  };
}

function styleCheck({ draft, avoidPhrases }: CheckInput): CheckResult {
  const text = normalizeForSearch(draft);
  const found = avoidPhrases.filter((p) => p.trim() && text.includes(normalizeForSearch(p).trim()));
  return {
    name: "style",
    passed: found.length === 0,
    credit: clamp01(1 - found.length * 0.34),
    measured: { found },
  };
}

function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n));
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
