import { words } from "../text/words.ts";

/**
 * Word sequences for the checks: the same Intl.Segmenter words the length count uses (Thai
 * segmented), lower-cased, with markdown marks dropped, so "**AI**" and "AI" compare equal.
 */
export function wordSequence(text: string): string[] {
  const plain = text.replace(/\]\([^)\s]*\)/g, "]").replace(/[*_`#>|~[\]]+/g, " ");
  return words(plain.normalize("NFKC")).map((w) => w.toLocaleLowerCase());
}

/** Each n-gram of `seq` as one string key (the separator cannot occur inside a word). */
export function ngrams(seq: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= seq.length; i++) out.push(seq.slice(i, i + n).join("\u0001"));
  return out;
}

/**
 * The longest run of consecutive words `a` shares with `b` (classic longest common substring
 * over words, one rolling row: drafts and excerpts are a few thousand words at most).
 */
export function longestSharedRun(a: readonly string[], b: readonly string[]): number {
  if (!a.length || !b.length) return 0;
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  let best = 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const run = a[i - 1] === b[j - 1] ? (prev[j - 1] ?? 0) + 1 : 0;
      row[j] = run;
      if (run > best) best = run;
    }
    [prev, row] = [row, prev];
  }
  return best;
}

/** Lower-cased, NFKC, whitespace collapsed: how phrases and keywords are looked for. */
export function normalizeForSearch(text: string): string {
  return text.normalize("NFKC").toLocaleLowerCase().replace(/\s+/gu, " ");
}
