import { countTokens, decode, encode } from "gpt-tokenizer/model/gpt-4o";
import type { ChatMessage } from "./types.ts";

/**
 * Token counting for gpt-4o-class models (o200k_base, also gpt-4.1, gpt-5, o-series).
 * Older cl100k models count English the same within a few percent, Thai about 2x higher;
 * budgets here are for the models we deploy, and the provider's usage remains the bill.
 */
export function countText(text: string): number {
  return encode(text).length;
}

/** Prompt tokens as billed: message contents plus the chat framing (role and separators). */
export function countChat(messages: readonly ChatMessage[]): number {
  return countTokens(messages.map((m) => ({ role: m.role, content: m.content })));
}

/**
 * The longest prefix of `text` within `maxTokens`, cut back to a space so no word is split
 * (Thai puts spaces between phrases; inside a long phrase we cut at a word boundary).
 */
export function truncateToTokens(text: string, maxTokens: number): string {
  const tokens = encode(text);
  if (tokens.length <= maxTokens) return text;
  // Reserve one token for the ellipsis; drop a trailing half character from a split byte sequence.
  const head = decode(tokens.slice(0, Math.max(0, maxTokens - 1))).replace(/\uFFFD+$/, "");
  const lastSpace = head.search(/\s\S*$/);
  const cut = lastSpace > head.length * 0.6 ? head.slice(0, lastSpace) : withoutLastWord(head);
  return `${cut.trimEnd()}…`;
}

/** Drops the final word segment, which the token cut may have split (Thai has no spaces to cut at). */
function withoutLastWord(text: string): string {
  const segments = [...wordSegmenter.segment(text)];
  const last = segments.at(-1);
  return last && segments.length > 1 ? text.slice(0, last.index) : text;
}

const wordSegmenter = new Intl.Segmenter("th", { granularity: "word" });
