import type { webhook } from "@line/bot-sdk";

/**
 * Whether a group message speaks to the bot, and the text without the bot's name. A real
 * mention counts (LINE marks it `isSelf`, or names the bot's user id); so does the bot's name
 * typed by hand — "@Article Bot …" anywhere, or "Article Bot, …" at the start — for its LINE
 * display name and every configured alias, because people type names as often as they pick
 * them from LINE's list. Plain string search, linear in the text's length.
 */
export interface Addressed {
  /** What they said to the bot, without its name. */
  said: string;
}

export function addressedToBot(
  message: webhook.TextMessageContent,
  botUserId: string,
  names: readonly string[],
): Addressed | null {
  const spans = botMentionSpans(message, botUserId);
  if (spans.length) return { said: tidy(cutSpans(message.text, spans)) };
  const typed = typedNameSpan(message.text, names);
  return typed ? { said: tidy(cutSpans(message.text, [typed])) } : null;
}

/** One-to-one chats: every message is for the bot; a mention or typed name is still taken out. */
export function withoutBotName(
  message: webhook.TextMessageContent,
  botUserId: string,
  names: readonly string[],
): string {
  return addressedToBot(message, botUserId, names)?.said ?? tidy(message.text);
}

interface Span {
  index: number;
  length: number;
}

function isBot(m: webhook.Mentionee, botUserId: string): boolean {
  return m.type === "user" && (m.isSelf === true || m.userId === botUserId);
}

function botMentionSpans(message: webhook.TextMessageContent, botUserId: string): Span[] {
  return (message.mention?.mentionees ?? [])
    .filter((m) => isBot(m, botUserId))
    .filter((m) => Number.isInteger(m.index) && Number.isInteger(m.length) && m.index >= 0 && m.length > 0);
}

/** Spans removed from the end backwards, so earlier indexes stay right. */
function cutSpans(text: string, spans: Span[]): string {
  let out = text;
  for (const m of [...spans].sort((a, b) => b.index - a.index))
    out = `${out.slice(0, m.index)} ${out.slice(m.index + m.length)}`;
  return out;
}

function tidy(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A Latin letter or digit right after a name means the name is part of a longer word. */
const WORD_CHAR = /[\p{Script=Latin}\p{N}_]/u;
const LEADING_SEPARATORS = new Set([",", ":", "，", "!", "?"]);

/** Where the typed name is, longest name first (so "Article Bot Pro" wins over "Article Bot"). */
export function typedNameSpan(text: string, names: readonly string[]): Span | null {
  const lower = text.toLowerCase();
  // Lower-casing changes a few strings' length (İ); then only an exact-case match counts.
  const haystack = lower.length === text.length ? lower : text;
  const sorted = [...new Set(names.map((n) => n.trim()).filter(Boolean))].sort((a, b) => b.length - a.length);
  for (const name of sorted) {
    const needle = haystack === lower ? name.toLowerCase() : name;
    if (needle.length !== name.length) continue;
    // "@name" anywhere, after a space or at the start.
    for (let at = haystack.indexOf(`@${needle}`); at !== -1; at = haystack.indexOf(`@${needle}`, at + 1)) {
      const before = at === 0 ? " " : haystack[at - 1]!;
      const after = haystack.slice(at + 1 + needle.length, at + 2 + needle.length);
      if (/\s/u.test(before) && !(after && WORD_CHAR.test(after)))
        return { index: at, length: needle.length + 1 };
    }
    // "name, …" or "name …" at the very start.
    if (haystack.startsWith(needle)) {
      const after = haystack.slice(needle.length, needle.length + 1);
      if (!after || /\s/u.test(after) || LEADING_SEPARATORS.has(after)) {
        const length = LEADING_SEPARATORS.has(after) ? needle.length + 1 : needle.length;
        return { index: 0, length };
      }
    }
  }
  return null;
}
