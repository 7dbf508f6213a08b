import { fenceAt, type MarkdownMap, mapMarkdown } from "./markdown.ts";
import { sentenceBoundaries } from "./sentences.ts";
import { lastGraphemeBoundary, wordBoundaries } from "./words.ts";

/**
 * Where to cut a too-long piece of markdown so that both halves still read well: the last
 * paragraph end that fits, else the last line end, else sentence end, else word boundary —
 * never inside a word, a grapheme or an inline construct. A fenced code block is the one
 * construct that may be cut (at a line end): the chunk closes it and the next reopens it.
 */

export interface Cut {
  /** Offset in the text where the chunk ends. */
  at: number;
  /** Appended to the chunk to close what is open at the cut ("\n```", or "**" when forced). */
  close: string;
  /** Put before the rest so the next chunk reopens it ("```ts\n", "**"). */
  reopen: string;
  /** Characters after `at` that the reopening replaces (the line break, the space). */
  skip: number;
}

/** A cut this early would leave a stub of a chunk: look one level finer instead. */
const FLOOR = 0.25;

/**
 * `text` is longer than `budget`; returns the best cut with `at + close.length ≤ budget`. The
 * first `from` characters are a fence reopened by the chunker: a cut must get past them and
 * past some content, or the chunker would cut the same spot forever.
 */
export function findCut(text: string, budget: number, map: MarkdownMap = mapMarkdown(text), from = 0): Cut {
  const search = text.slice(from).search(/\S/u);
  const content = search === -1 ? text.length : from + search;
  const floor = Math.max(content + 1, Math.floor(budget * FLOOR));
  // Each level is computed only when the coarser ones found nothing: segmenting words is the
  // costly step, and most cuts land on a paragraph or line end.
  let words: number[] | null = null;
  const wordsOnce = () => (words ??= wordBoundaries(text));
  const levels: Array<{ offsets: () => number[]; min: number; forced?: boolean }> = [
    { offsets: () => blockEnds(map), min: floor },
    { offsets: () => lineEnds(map), min: floor },
    { offsets: () => sentenceBoundaries(text), min: floor },
    { offsets: wordsOnce, min: content + 1 },
    { offsets: wordsOnce, min: content + 1, forced: true },
  ];
  const lastContent = lastContentBefore(text);
  for (const level of levels) {
    const cut = lastFitting(
      text,
      map,
      budget,
      level.offsets(),
      level.min,
      level.forced ?? false,
      lastContent,
    );
    if (cut) return cut;
  }
  return hardCut(text, map, budget, content);
}

function lastFitting(
  text: string,
  map: MarkdownMap,
  budget: number,
  offsets: number[],
  min: number,
  forced: boolean,
  lastContent: Int32Array,
): Cut | null {
  for (let k = offsets.length - 1; k >= 0; k--) {
    const at = offsets[k]!;
    if (at > budget || at < min) continue;
    if (!forced && map.inlineStart[at] !== -1) continue;
    if (!forced && fenceAt(map, at) && !isFenceLineEnd(map, at)) continue;
    if (endsWithHeading(map, lastContent[at]!)) continue;
    const cut = repaired(text, map, at, budget);
    if (at + cut.close.length <= budget) return cut;
  }
  return null;
}

/** What to add on both sides of a cut at `at` so neither half is left with something open. */
function repaired(text: string, map: MarkdownMap, at: number, budget: number): Cut {
  const fence = fenceAt(map, at);
  if (fence) {
    // A long info string would eat the next chunk's room: reopen with the bare fence then.
    const opener = fence.opener.length <= budget / 4 ? fence.opener : fence.closer;
    return { at, close: `\n${fence.closer}`, reopen: `${opener}\n`, skip: text[at] === "\n" ? 1 : 0 };
  }
  const marks = map.inlineMarks[at] ?? [];
  if (!marks.length) return { at, close: "", reopen: "", skip: 0 };
  // "**" must touch the word it opens: the space at the seam goes.
  return {
    at,
    close: [...marks].reverse().join(""),
    reopen: marks.join(""),
    skip: /^\s*/u.exec(text.slice(at, at + 64))![0].length,
  };
}

/** Paragraph ends outside code, and line ends between two code lines inside a fenced block. */
function blockEnds(map: MarkdownMap): number[] {
  const out: number[] = [];
  const { lines } = map;
  for (let i = 0; i + 1 < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1]!;
    const paragraphEnd =
      next.kind === "blank" ||
      next.kind === "heading" ||
      next.kind === "fence-open" ||
      line.kind === "fence-close";
    const codeLine = line.kind === "code" && next.kind === "code";
    if ((paragraphEnd && line.kind !== "code") || codeLine) out.push(line.end);
  }
  return out;
}

/** Line ends inside prose (list items, table rows, wrapped lines). */
function lineEnds(map: MarkdownMap): number[] {
  return map.lines.filter((l, i) => i + 1 < map.lines.length && l.kind === "text").map((l) => l.end);
}

function isFenceLineEnd(map: MarkdownMap, at: number): boolean {
  return map.lines.some((l, i) => l.end === at && l.kind === "code" && map.lines[i + 1]?.kind === "code");
}

/**
 * A chunk whose last line is a heading would show a title with nothing under it, and one cut
 * inside a heading would split the title itself.
 */
function endsWithHeading(map: MarkdownMap, last: number): boolean {
  // Binary search for the line holding `last`: a scan per candidate made long headings quadratic.
  const { lines } = map;
  let lo = 0;
  let hi = lines.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.start <= last) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const line = lines[found];
  return line !== undefined && last < Math.max(line.end, line.start + 1) && line.kind === "heading";
}

/**
 * For each offset, the index of the last non-whitespace character before it (-1 if none): what
 * `text.slice(0, at).trimEnd().length - 1` gives, computed once instead of once per candidate.
 */
function lastContentBefore(text: string): Int32Array {
  const out = new Int32Array(text.length + 1);
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    out[i] = last;
    if (!/\s/u.test(text[i]!)) last = i;
  }
  out[text.length] = last;
  return out;
}

/**
 * No word boundary fits (one "word" longer than the budget: a URL, a base64 blob). Cut at a
 * grapheme boundary, and as a last resort anywhere that does not split a surrogate pair.
 */
function hardCut(text: string, map: MarkdownMap, budget: number, content: number): Cut {
  const anywhere = (limit: number) => {
    const at = lastGraphemeBoundary(text, limit);
    if (at > content) return at;
    return /[\uD800-\uDBFF]/.test(text[limit - 1] ?? "") && limit - 1 > content ? limit - 1 : limit;
  };
  const first = repaired(text, map, anywhere(budget), budget);
  if (first.at + first.close.length <= budget) return first;
  const second = repaired(text, map, anywhere(budget - first.close.length), budget);
  if (second.at + second.close.length <= budget && second.at > content) return second;
  // Nothing but whitespace fits after a reopened fence: give up on the repair, keep moving.
  return { at: anywhere(budget), close: "", reopen: "", skip: 0 };
}
