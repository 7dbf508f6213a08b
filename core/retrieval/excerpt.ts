import { sentences } from "../text/sentences.ts";
import { countTokens, truncateToTokens } from "../text/tokens.ts";
import { words } from "../text/words.ts";

/** ~90 tokens each keeps four excerpts near 400 tokens, inside the prompt's budget. */
export const DEFAULT_EXCERPT_TOKENS = 90;

/** Markdown reduced to prose: the prompt wants facts, not headings, emphasis or link targets. */
export function plainText(markdown: string): string {
  const lines = markdown.split("\n").filter((l) => !/^\s*#{1,6}\s/.test(l));
  return lines
    .join("\n")
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__|`)(.+?)\1/g, "$2")
    .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A passage cut to about `maxTokens`, at sentence boundaries where possible and never inside a
 * word (Thai included). With a query, the window starts at the sentence that shares the most
 * words with it, so the excerpt carries the part of the passage that matched; "…" marks cuts.
 */
export function trimExcerpt(passage: string, maxTokens = DEFAULT_EXCERPT_TOKENS, query?: string): string {
  const text = plainText(passage) || passage.trim();
  if (countTokens(text) <= maxTokens) return text;
  const units = sentences(text);
  const cost = units.map((u) => countTokens(u) + 1); // +1 for the joining space
  const start = query ? bestUnit(units, query) : 0;
  // The first unit alone is too long: cut it at a word.
  if (cost[start]! > maxTokens - 2)
    return `${start > 0 ? "…" : ""}${truncateToTokens(units[start]!, maxTokens - (start > 0 ? 1 : 0))}`;
  let from = start;
  let to = start + 1;
  let used = cost[start]!;
  const budget = maxTokens - 2; // room for the ellipses
  while (to < units.length && used + cost[to]! <= budget) used += cost[to++]!;
  while (from > 0 && used + cost[from - 1]! <= budget) used += cost[--from]!;
  return `${from > 0 ? "… " : ""}${units.slice(from, to).join(" ")}${to < units.length ? " …" : ""}`;
}

/** Words compared as retrieval compares them: lower-cased. */
const lowerWords = (text: string) => words(text).map((w) => w.toLowerCase());

function bestUnit(units: string[], query: string): number {
  const wanted = new Set(lowerWords(query).filter((w) => w.length > 2 || /[\u0E00-\u0E7F]/.test(w)));
  let best = 0;
  let bestScore = 0;
  units.forEach((u, i) => {
    const score = new Set(lowerWords(u).filter((w) => wanted.has(w))).size;
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  return best;
}
