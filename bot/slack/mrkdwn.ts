import type { KnownBlock } from "@slack/web-api";
import { headingTitle, isThematicBreak } from "../../core/text/markdown.ts";
import { lastWordBoundary } from "../../core/text/words.ts";

/**
 * Markdown (what the model writes) to what Slack renders: mrkdwn text
 * (https://docs.slack.dev/messaging/formatting-message-text) in blocks within Slack's limits —
 * a section holds at most 3,000 characters, a header 150, a message 50 blocks.
 */

export const SECTION_MAX_CHARS = 3_000;
export const HEADER_MAX_CHARS = 150;
export const MAX_BLOCKS = 50;

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
/** Only tells a heading from "#hashtag"; headingTitle reads it (bounded quantifiers only). */
const HEADING_START = /^\s{0,3}#{1,6}\s/;
const BULLET = /^(\s*)[-*+]\s+(?:\[( |x|X)\]\s+)?(.*)$/;
const ORDERED = /^(\s*)(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

/** Slack needs exactly these three escaped in text; everything else is literal. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A markdown document as mrkdwn, line by line (headings become bold lines). */
export function toMrkdwn(markdown: string): string {
  return convertLines(markdown)
    .map((l) => l.text)
    .join("\n");
}

interface ConvertedLine {
  text: string;
  /** Set for H1/H2: shown as a header block when it fits. */
  header?: string;
}

function convertLines(markdown: string): ConvertedLine[] {
  const out: ConvertedLine[] = [];
  let fence: string | null = null;
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const f = FENCE.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      out.push({ text: "```" }); // Slack shows no language tag: drop the info string
      continue;
    }
    if (fence !== null) {
      out.push({ text: escapeText(line) });
      continue;
    }
    const h = HEADING_START.test(line) ? headingTitle(line) : null;
    if (h) {
      const plain = plainText(h.title);
      out.push({
        text: plain ? `*${escapeText(plain)}*` : "",
        header: h.level <= 2 && plain ? plain : undefined,
      });
      continue;
    }
    if (isThematicBreak(line)) {
      out.push({ text: "───" });
      continue;
    }
    const b = BULLET.exec(line);
    if (b) {
      const depth = Math.floor(b[1]!.replace(/\t/g, "  ").length / 2);
      const mark = b[2] === undefined ? (depth ? "◦" : "•") : b[2] === " " ? "☐" : "☑";
      out.push({ text: `${"    ".repeat(depth)}${mark} ${inline(b[3]!)}` });
      continue;
    }
    const o = ORDERED.exec(line);
    if (o) {
      const depth = Math.floor(o[1]!.replace(/\t/g, "  ").length / 3);
      out.push({ text: `${"    ".repeat(depth)}${o[2]}. ${inline(o[3]!)}` });
      continue;
    }
    const q = QUOTE.exec(line);
    if (q) {
      out.push({ text: `> ${inline(q[1]!)}` });
      continue;
    }
    out.push({ text: inline(line) });
  }
  if (fence !== null) out.push({ text: "```" });
  return out;
}

/** Inline markdown to mrkdwn: links, bold, italics, strikethrough; code spans stay as they are. */
export function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeText(part) : inlineProse(part)))
    .join("");
}

function inlineProse(raw: string): string {
  const kept: string[] = [];
  const keep = (s: string) => `\u0002${kept.push(s) - 1}\u0002`;
  let t = raw;
  // Links first, so their URLs never meet the emphasis rules below.
  t = t.replace(
    // Each part stops at the next bracket or parenthesis, so unclosed links stay linear.
    /!?\[([^[\]\n]*)\]\([ \t]*<?([^)[\]\s<>]+)>?(?:[ \t]+"[^"\n]{0,300}")?[ \t]*\)/g,
    (_m, label: string, url: string) => {
      if (!/^(?:https?:|mailto:)/i.test(url)) return label;
      const shown = plainText(label).replace(/\|/g, "∣");
      return keep(shown ? `<${escapeText(url)}|${escapeText(shown)}>` : `<${escapeText(url)}>`);
    },
  );
  t = t.replace(/<((?:https?:|mailto:)[^\s<>]+)>/gi, (_m, url: string) => keep(`<${escapeText(url)}>`));
  t = escapeText(t);
  t = t
    // The text of a pair never contains its own mark: each opening scans only to the next mark,
    // where `.+?` scanned to the end of the line once per opening (quadratic on "_a __a _…").
    .replace(/\*\*(?=\S)([^*]+?)(?<=\S)\*\*/g, "\u0001$1\u0001")
    .replace(/__(?=\S)([^_]+?)(?<=\S)__/g, "\u0001$1\u0001");
  t = t.replace(/(?<![\p{L}\p{N}*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\p{L}\p{N}*])/gu, "_$1_");
  t = t.replace(/~~(?=\S)([^~]+?)(?<=\S)~~/g, "~$1~");
  t = t.replace(/\u0001/g, "*");
  return t.replace(/\u0002(\d+)\u0002/g, (_m, i: string) => kept[Number(i)]!);
}

/** Markdown without its marks, for plain-text places (header blocks, notifications). */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^[\]\n]*)\]\([^()\n]*\)/g, "$1")
    .replace(/\*\*(?=\S)([^*]+?)(?<=\S)\*\*/g, "$1")
    .replace(/__(?=\S)([^_]+?)(?<=\S)__/g, "$1")
    .replace(/~~(?=\S)([^~]+?)(?<=\S)~~/g, "$1")
    .replace(/(?<![\p{L}\p{N}*])[*_](?=\S)([^*_\n]+?)(?<=\S)[*_](?![\p{L}\p{N}*])/gu, "$1")
    .replace(/`([^`\n]+)`/g, "$1")
    .replace(/^\s{0,3}#{1,6}\s+/gm, "")
    .trim();
}

/**
 * A chunk of the draft as message blocks: H1/H2 headings as header blocks, the rest in mrkdwn
 * sections of at most 3,000 characters (cut at a paragraph, line or word, a code block closed
 * and reopened across the cut), never more than 50 blocks.
 */
export function draftBlocks(markdown: string): KnownBlock[] {
  const lines = convertLines(markdown);
  const blocks: KnownBlock[] = [];
  let text: string[] = [];
  const flush = () => {
    const body = text.join("\n").replace(/^\n+|\s+$/g, "");
    for (const part of splitSections(body))
      blocks.push({ type: "section", text: { type: "mrkdwn", text: part } });
    text = [];
  };
  for (const line of lines) {
    if (line.header && line.header.length <= HEADER_MAX_CHARS) {
      flush();
      blocks.push({ type: "header", text: { type: "plain_text", text: line.header, emoji: true } });
    } else text.push(line.text);
  }
  flush();
  if (blocks.length <= MAX_BLOCKS) return blocks;
  // Dozens of headings in one chunk: sections only, packed, still within every limit.
  return splitSections(
    lines
      .map((l) => l.text)
      .join("\n")
      .trim(),
  )
    .slice(0, MAX_BLOCKS)
    .map((part) => ({ type: "section", text: { type: "mrkdwn", text: part } }));
}

/** Text for notifications and clients without blocks. */
export function fallbackText(markdown: string, max = SECTION_MAX_CHARS): string {
  const text = toMrkdwn(markdown).trim();
  return text.length <= max ? text : `${text.slice(0, lastWordBoundary(text, max - 1) || max - 1)}…`;
}

/** Splits mrkdwn into pieces of at most SECTION_MAX_CHARS, preferring paragraph, then line, then word boundaries. */
export function splitSections(text: string, max = SECTION_MAX_CHARS): string[] {
  const parts: string[] = [];
  let rest = text;
  let reopen = false;
  while (rest.length) {
    if (reopen) rest = `\`\`\`\n${rest}`;
    const budget = max - 4; // room to close a code block at the cut
    if (rest.length <= max) {
      parts.push(rest);
      break;
    }
    const window = rest.slice(0, budget);
    let cut = window.lastIndexOf("\n\n");
    if (cut < budget / 2) cut = window.lastIndexOf("\n");
    if (cut < budget / 2) cut = lastWordBoundary(rest, budget);
    if (cut <= 0) cut = budget;
    let part = rest.slice(0, cut).trimEnd();
    reopen = (part.match(/^```/gm)?.length ?? 0) % 2 === 1;
    if (reopen) part += "\n```";
    parts.push(part);
    rest = rest
      .slice(cut)
      .replace(/^\s*\n/, "")
      .trimStart();
  }
  return parts.filter((p) => p.trim());
}
