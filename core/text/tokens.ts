import { countTokens as countChatTokens, decode, encode } from "gpt-tokenizer/model/gpt-4o";
import { lastGraphemeBoundary, lastWordBoundary } from "./words.ts";

/**
 * Token counts for gpt-4o-class models (o200k_base, also gpt-4.1, gpt-5, o-series): the count
 * the prompt budget, the retrieval excerpts and the output estimate all use. Older cl100k models
 * count English the same within a few percent, Thai about 2x higher; budgets here are for the
 * models we deploy, and the provider's usage remains the bill.
 */

const wordSegmenter = new Intl.Segmenter("th", { granularity: "word" });

export function countTokens(text: string): number {
  let total = 0;
  for (const piece of boundedPieces(text)) total += encode(piece).length;
  return total;
}

/**
 * The tokenizer's byte-pair merging is quadratic in the length of one pre-token, and a Thai
 * sentence (no spaces) or a run of emoji is one pre-token: 24 KB of Thai took 8 s to count.
 * Counting pieces of at most this many characters, cut before a space (where the tokenizer cuts
 * anyway, so the count is unchanged) or at a word boundary inside a long run, keeps it linear.
 */
const MAX_PIECE_CHARS = 1_024;

function* boundedPieces(text: string): Generator<string> {
  let rest = text;
  while (rest.length > MAX_PIECE_CHARS) {
    const window = rest.slice(0, MAX_PIECE_CHARS);
    let cut = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\n"));
    if (cut <= 0) cut = lastWordBoundary(rest, MAX_PIECE_CHARS);
    if (cut <= 0) cut = lastGraphemeBoundary(rest, MAX_PIECE_CHARS) || MAX_PIECE_CHARS;
    yield rest.slice(0, cut);
    rest = rest.slice(cut);
  }
  yield rest;
}

/** Prompt tokens as billed: message contents plus the chat framing (role and separators). */
export function countChat(
  messages: ReadonlyArray<{ role: "system" | "user" | "assistant"; content: string }>,
): number {
  return countChatTokens(messages.map((m) => ({ role: m.role, content: m.content })));
}

/**
 * The longest prefix of `text` within `maxTokens` (the "…" included) that ends where a word of
 * the whole text ends, so a Thai word is never split: where a Thai word ends depends on what
 * follows it, so the words come from the original text, not from the cut one. Dangling commas,
 * dashes and spaces go before the "…". A single word longer than the budget (a URL) is cut at a
 * grapheme boundary instead of vanishing.
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  const tokens = encode(text);
  if (tokens.length <= maxTokens) return text;
  // One token for the ellipsis; a split multi-byte character at the end decodes to U+FFFD.
  const head = decode(tokens.slice(0, Math.max(0, maxTokens - 1))).replace(/\uFFFD+$/, "");
  let boundary = 0;
  for (const s of wordSegmenter.segment(text)) {
    const end = s.index + s.segment.length;
    if (end > head.length) break;
    if (s.isWordLike) boundary = end;
  }
  const cut = boundary > 0 ? boundary : lastGraphemeBoundary(text, head.length);
  return `${text.slice(0, cut).replace(/[\s,;:–—-]+$/u, "")}…`;
}
