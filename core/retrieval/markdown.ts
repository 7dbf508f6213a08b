import path from "node:path";
import type { Language } from "../domain.ts";
import { detectLanguage } from "../text/language.ts";
import { headingTitle } from "../text/markdown.ts";
import { sentences } from "../text/sentences.ts";
import { countTokens } from "../text/tokens.ts";

export interface ParsedArticle {
  title: string;
  industry: string | null;
  language: Language;
  /** Markdown without the front matter and without the title heading. */
  body: string;
}

export interface Passage {
  text: string;
  tokens: number;
}

export interface ChunkOptions {
  minTokens?: number;
  maxTokens?: number;
}

const FRONT_MATTER = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
/** A heading at the very start of a line, with text: a corpus file's section titles. */
function headingText(line: string): string | null {
  const h = line.startsWith("#") && line.length <= MAX_HEADING_CHARS ? headingTitle(line) : null;
  return h?.title ? h.title : null;
}
/** Longer than any real heading: such a line is read as prose. */
const MAX_HEADING_CHARS = 1_000;

/** Industry names as the request parser writes them: "Real Estate" -> "real-estate". */
export function industrySlug(value: string | null | undefined): string | null {
  const slug = (value ?? "")
    .trim()
    .toLowerCase()
    .replace(/[\s_/&]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return slug || null;
}

/**
 * Front matter (`title`, `industry`, `language`) is optional: the title falls back to the first
 * heading, then to the file name; the language is detected from the script when not given.
 */
export function parseArticle(raw: string, fileName: string): ParsedArticle {
  const text = raw.replace(/\r\n?/g, "\n");
  const fm = FRONT_MATTER.exec(text);
  const meta: Record<string, string> = {};
  for (const line of fm?.[1]?.split("\n") ?? []) {
    // The value is trimmed in code: `(.*?)\s*$` was quadratic on a line of spaces.
    const m = /^[ \t]*([A-Za-z_][\w-]*)[ \t]*:(.*)$/.exec(line);
    if (m) meta[m[1]!.toLowerCase()] = m[2]!.trim().replace(/^(["'])(.*)\1$/, "$2");
  }
  let body = fm ? text.slice(fm[0].length) : text;
  const lines = body.split("\n");
  const titleLine = lines.findIndex((l) => /^#\s+\S/.test(l));
  const firstHeading = lines.map(headingText).find(Boolean);
  let title = meta.title?.trim();
  if (titleLine >= 0 && lines.slice(0, titleLine).every((l) => !l.trim())) {
    // The leading H1 is the title: keep it out of the passages (every passage is embedded with the title anyway).
    title ||= headingText(lines[titleLine]!) ?? undefined;
    body = lines.slice(titleLine + 1).join("\n");
  }
  title ||= firstHeading ?? path.basename(fileName).replace(/\.md$/i, "").replace(/[-_]+/g, " ");
  const declared = meta.language?.toLowerCase();
  const language: Language =
    declared === "th" || declared === "thai"
      ? "th"
      : declared === "en" || declared === "english"
        ? "en"
        : detectLanguage(body);
  return { title: title.trim(), industry: industrySlug(meta.industry), language, body: body.trim() };
}

interface Block {
  text: string;
  tokens: number;
  heading: boolean;
}

/**
 * Passages of about min..max tokens, cut at headings and paragraphs: a heading starts a new
 * passage once the current one is big enough, and always travels with the text under it;
 * a paragraph longer than max is cut between sentences. A short tail joins its predecessor.
 */
export function chunkMarkdown(body: string, opts: ChunkOptions = {}): Passage[] {
  const min = opts.minTokens ?? 120;
  const max = opts.maxTokens ?? 250;
  const passages: Block[][] = [];
  let current: Block[] = [];
  const size = (blocks: Block[]) => blocks.reduce((n, b) => n + b.tokens, 0);
  const flush = () => {
    // Headings at the end of a passage belong to the next one.
    const carry: Block[] = [];
    while (current.length && current.at(-1)!.heading) carry.unshift(current.pop()!);
    if (current.length) passages.push(current);
    current = carry;
  };
  for (const block of blocks(body, max)) {
    if (block.heading) {
      if (size(current) >= min) flush();
      current.push(block);
      continue;
    }
    if (current.some((b) => !b.heading) && size(current) + block.tokens > max) flush();
    current.push(block);
  }
  flush();
  if (current.length) passages.push(current); // only headings were left: keep them rather than lose them
  const out = passages.map((p) => p.map((b) => b.text).join("\n\n"));
  if (
    out.length > 1 &&
    countTokens(out.at(-1)!) < min &&
    countTokens(out.at(-2)!) + countTokens(out.at(-1)!) <= max * 1.2
  )
    out.splice(-2, 2, `${out.at(-2)}\n\n${out.at(-1)}`);
  return out.map((text) => ({ text, tokens: countTokens(text) }));
}

function blocks(body: string, max: number): Block[] {
  const out: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    const text = paragraph.join("\n").trim();
    paragraph = [];
    if (!text) return;
    const tokens = countTokens(text);
    if (tokens <= max) return void out.push({ text, tokens, heading: false });
    // Too long for one passage: cut between sentences (Thai: between phrases).
    let piece: string[] = [];
    let pieceTokens = 0;
    for (const s of sentences(text)) {
      const t = countTokens(s) + 1;
      if (piece.length && pieceTokens + t > max) {
        out.push({ text: piece.join(" "), tokens: pieceTokens, heading: false });
        piece = [];
        pieceTokens = 0;
      }
      piece.push(s);
      pieceTokens += t;
    }
    if (piece.length) out.push({ text: piece.join(" "), tokens: pieceTokens, heading: false });
  };
  for (const line of body.split("\n")) {
    if (!line.trim()) endParagraph();
    else if (headingText(line) !== null) {
      endParagraph();
      out.push({ text: line.trim(), tokens: countTokens(line), heading: true });
    } else paragraph.push(line);
  }
  endParagraph();
  return out;
}
