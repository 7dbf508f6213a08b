import { headingTitle, isTableSeparator, isThematicBreak, mapMarkdown } from "../../core/text/markdown.ts";
import { lastGraphemeBoundary, lastWordBoundary } from "../../core/text/words.ts";
import type { LineMessage } from "./client.ts";

/**
 * LINE shows text messages as typed: `## Heading` and `**bold**` would reach the reader with
 * their marks. Drafts are markdown, so each chunk is turned into plain text a phone shows well
 * (headings framed, bullets as •, links as "text (url)"), then cut to LINE's 5,000 characters
 * per message at a paragraph, line or word boundary — never inside a Thai word.
 *
 * https://developers.line.biz/en/reference/messaging-api/#text-message
 */

export const LINE_TEXT_MAX = 5_000;

export function toPlainText(markdown: string): string {
  const map = mapMarkdown(markdown);
  const out: string[] = [];
  for (const line of map.lines) {
    const body = markdown.slice(line.start, line.end);
    switch (line.kind) {
      case "fence-open":
      case "fence-close":
        continue; // the code stays, its fences go
      case "code":
        out.push(body);
        continue;
      case "blank":
        out.push("");
        continue;
      case "heading": {
        const title = inline(headingTitle(body)?.title ?? body.trim());
        out.push(line.level === 1 ? `【${title}】` : line.level === 2 ? `■ ${title}` : `▸ ${title}`);
        continue;
      }
      default:
        out.push(textLine(body));
    }
  }
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function textLine(body: string): string {
  if (isThematicBreak(body)) return "──────────";
  if (isTableSeparator(body)) return ""; // table separator row
  const bullet = /^(\s*)[-*+][ \t]+(.*)$/.exec(body);
  if (bullet) {
    const depth = Math.floor(bullet[1]!.replace(/\t/g, "  ").length / 2);
    return `${"  ".repeat(depth)}${depth ? "◦" : "•"} ${inline(bullet[2]!)}`;
  }
  const quote = /^\s*>[ \t]?(.*)$/.exec(body);
  if (quote) return `│ ${inline(quote[1]!)}`;
  if (/^\s*\|.*\|\s*$/.test(body)) {
    return body
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((cell) => inline(cell.trim()))
      .join(" | ");
  }
  return inline(body);
}

/**
 * Inline marks out, their text kept. Every pattern's repeated part stops at the next mark or
 * bracket, so an unclosed construct costs a scan to the next one, not to the end of the text.
 */
function inline(text: string): string {
  return text
    .replace(/!\[([^[\]]*)\]\(([^)[\]\s]+)(?:[ \t]+"[^"\n]{0,300}")?\)/g, (_, alt: string) => alt)
    .replace(/\[([^[\]]+)\]\(([^)[\]\s]+)(?:[ \t]+"[^"\n]{0,300}")?\)/g, (_, label: string, url: string) =>
      label === url ? url : `${label} (${url})`,
    )
    .replace(/<(https?:\/\/[^<>\s]+)>/g, "$1")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\*\*(?=\S)([^*]+?)(?<=\S)\*\*/g, "$1")
    .replace(/__(?=\S)([^_]+?)(?<=\S)__/g, "$1")
    .replace(/(?<![\p{L}\p{N}*])\*(?=\S)([^*]*?\S)\*(?![\p{L}\p{N}*])/gu, "$1")
    .replace(/(?<![\p{L}\p{N}_])_(?=\S)([^_]*?\S)_(?![\p{L}\p{N}_])/gu, "$1")
    .replace(/~~(?=\S)([^~]+?)(?<=\S)~~/g, "$1")
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, "$1");
}

/**
 * Splits plain text into LINE messages of at most `max` characters: at the last paragraph
 * break that keeps at least half a message, else the last line break, else the last word
 * boundary (Intl.Segmenter, so Thai words stay whole), else a grapheme boundary.
 */
export function splitForLine(text: string, max = LINE_TEXT_MAX): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let at = window.lastIndexOf("\n\n");
    if (at < max / 2) at = window.lastIndexOf("\n");
    if (at < max / 2) at = lastWordBoundary(rest, max);
    if (at <= 0) at = lastGraphemeBoundary(rest, max) || max;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/**
 * Packs queued messages into as few as LINE allows: consecutive plain text bubbles are joined
 * (a blank line between) and cut again at 5,000 characters with splitForLine, so a draft's
 * sections share bubbles instead of taking one each. Anything else (a card) stays as it is.
 */
export function packMessages(queued: LineMessage[], max = LINE_TEXT_MAX): LineMessage[] {
  const out: LineMessage[] = [];
  let run: string[] = [];
  const close = () => {
    if (run.length) for (const t of splitForLine(run.join("\n\n"), max)) out.push({ type: "text", text: t });
    run = [];
  };
  for (const m of queued) {
    if (m.type === "text" && !m.quickReply) run.push(m.text);
    else {
      close();
      out.push(m);
    }
  }
  close();
  return out;
}
