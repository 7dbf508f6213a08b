import { lastGraphemeBoundary } from "../text/words.ts";

/**
 * Makes whatever a chat platform or a form delivered safe to parse and to store: bounded in
 * size, well-formed UTF-16, without control or invisible formatting characters, and without
 * the mention tokens platforms put in front of a message to the bot.
 */

/** Longer input is cut before parsing: no request needs more, and regexes stay cheap. */
export const MAX_INPUT_CHARS = 4_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** C0/C1 controls except whitespace, which becomes a space below. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/**
 * Invisible format characters that can reorder or hide text (bidi overrides, BOM, soft
 * hyphen, zero-width space). ZWJ/ZWNJ stay: emoji sequences and some scripts need them.
 */
const INVISIBLE =
  /[\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uFFF9-\uFFFB]/g;

/** Any value to a bounded, well-formed string with every run of whitespace as one space. */
export function cleanText(value: unknown, maxChars = MAX_INPUT_CHARS): string {
  if (typeof value !== "string") return "";
  let text = value.length > MAX_INPUT_CHARS ? value.slice(0, MAX_INPUT_CHARS) : value;
  text = text.replace(LONE_SURROGATE, "").normalize("NFC");
  text = text.replace(CONTROL, "").replace(INVISIBLE, "").replace(/\s+/gu, " ").trim();
  return maxChars < text.length ? clip(text, maxChars).trim() : text;
}

/**
 * Slack writes mentions as `<@U123ABC>` (or `<@U123|name>`), `<!here>`, `<#C123|channel>`;
 * LINE puts the bot's display name after an "@". Leading bot names go too, so
 * "@bot AI in healthcare" is about AI in healthcare.
 */
export function stripMentions(text: string, botNames: readonly string[] = []): string {
  let out = text
    .replace(/<[@!#][^<>\s]{1,80}>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const names = [...botNames, "article bot", "articlebot", "article-bot"].map(escapeRegExp).join("|");
  const leading = new RegExp(
    `^(?:@(?:${names})(?![\\p{L}\\p{N}])|@[\\p{L}\\p{N}_.-]+|(?:${names})(?=[\\s,:])|bot(?=\\s*[,:]))[\\s,:]*`,
    "iu",
  );
  for (let i = 0; i < 5 && leading.test(out); i++) out = out.replace(leading, "").trim();
  return out;
}

/** At most `maxChars`, never ending in half an emoji or a Thai letter without its marks. */
export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const at =
    lastGraphemeBoundary(text, maxChars) ||
    (/[\uD800-\uDBFF]/.test(text[maxChars - 1]!) ? maxChars - 1 : maxChars);
  return text.slice(0, at);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
