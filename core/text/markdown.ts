/**
 * Just enough markdown structure to cut a draft safely: lines (blank, heading, fence, code,
 * text), which fenced block is open at an offset, and which inline construct (`**bold**`,
 * `_em_`, `` `code` ``, `[link](url)`) is open at an offset. It reads text that may still be
 * streaming in, so a line's kind is decided from its first characters, never from its end.
 */

export type LineKind = "blank" | "heading" | "fence-open" | "fence-close" | "code" | "text";

export interface Line {
  start: number;
  /** Offset of the line's "\n", or the text's length for the last line. */
  end: number;
  kind: LineKind;
  /** 1–6 for headings, else 0. */
  level: number;
}

export interface Fence {
  /** The whole opening line ("```ts"), to reopen the block in the next chunk. */
  opener: string;
  /** What closes it ("```"). */
  closer: string;
  /** Offsets strictly between `from` and `to` are inside the block. */
  from: number;
  to: number;
}

export interface MarkdownMap {
  lines: Line[];
  fences: Fence[];
  /** Offset where the outermost inline construct open at each offset began; -1 when none. */
  inlineStart: Int32Array;
  /** The emphasis/code markers open at each offset, outermost first (for close-and-reopen). */
  inlineMarks: readonly string[][];
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function mapMarkdown(text: string): MarkdownMap {
  const { lines, fences } = scanLines(text);
  const { inlineStart, inlineMarks } = scanInline(text, lines);
  return { lines, fences, inlineStart, inlineMarks };
}

/** The fenced block open at `offset`, if any. */
export function fenceAt(map: MarkdownMap, offset: number): Fence | null {
  return map.fences.find((f) => offset > f.from && offset < f.to) ?? null;
}

function scanLines(text: string): { lines: Line[]; fences: Fence[] } {
  const lines: Line[] = [];
  const fences: Fence[] = [];
  let open: Fence | null = null;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    const body = text.slice(start, end);
    const fence = FENCE.exec(body);
    if (open) {
      const closes =
        fence &&
        fence[1]![0] === open.closer[0] &&
        fence[1]!.length >= open.closer.length &&
        !body.slice(fence[0].length).trim();
      if (closes) open.to = end;
      lines.push({ start, end, kind: closes ? "fence-close" : "code", level: 0 });
      if (closes) open = null;
    } else if (fence && !(fence[1]![0] === "`" && body.slice(fence[0].length).includes("`"))) {
      open = { opener: body.trimEnd(), closer: fence[1]!, from: start, to: Number.POSITIVE_INFINITY };
      fences.push(open);
      lines.push({ start, end, kind: "fence-open", level: 0 });
    } else {
      lines.push(classify(body, start, end));
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return { lines, fences };
}

function classify(body: string, start: number, end: number): Line {
  if (!body.trim()) return { start, end, kind: "blank", level: 0 };
  const h = HEADING.exec(body);
  if (h) return { start, end, kind: "heading", level: h[1]!.length };
  return { start, end, kind: "text", level: 0 };
}

/** A line that starts a block of its own, where emphasis cannot carry over from the line before. */
const BLOCK_START = /^\s*(?:[-*+]\s|\d+[.)]\s|\||>)/;

const MAX_OPEN = 16;

interface Open {
  mark: string;
  start: number;
}

function scanInline(text: string, lines: Line[]): { inlineStart: Int32Array; inlineMarks: string[][] } {
  const inlineStart = new Int32Array(text.length + 1).fill(-1);
  const inlineMarks: string[][] = new Array<string[]>(text.length + 1).fill([]);
  let stack: Open[] = [];
  for (const line of lines) {
    const prose = line.kind === "text" || line.kind === "heading";
    if (!prose || line.kind === "heading" || BLOCK_START.test(text.slice(line.start, line.end))) stack = [];
    if (!prose) continue;
    scanProse(text, line, stack, inlineStart, inlineMarks);
    if (line.kind === "heading") stack = [];
  }
  return { inlineStart, inlineMarks };
}

function scanProse(text: string, line: Line, stack: Open[], starts: Int32Array, marks: string[][]): void {
  let i = line.start;
  const record = (upTo: number) => {
    const first = stack[0]?.start ?? -1;
    const open = stack.filter((o) => o.mark !== "[" && o.mark !== "](").map((o) => o.mark);
    starts[upTo] = first;
    marks[upTo] = open;
  };
  while (i < line.end) {
    const outer = stack[0]?.start ?? i;
    const step = scanToken(text, i, line.end, stack);
    const next = Math.min(i + step, line.end);
    // Between the two stars of "**" is inside a construct whichever way it turns.
    for (let k = i + 1; k < next; k++) starts[k] = outer;
    i = next;
    record(i);
  }
  // The line break itself belongs to the paragraph: a cut there is inside whatever is open.
  if (line.end < text.length) record(line.end + 1);
}

/** Consumes one token at `i`, updating the stack; returns its length. */
function scanToken(text: string, i: number, end: number, stack: Open[]): number {
  const top = stack[stack.length - 1];
  // Deeper nesting than any real draft has: "[[[[…" would otherwise grow the stack, and the
  // marks recorded at every offset with it, to the length of the line.
  if (stack.length >= MAX_OPEN && text[i] !== "`" && !(top && top.mark[0] === "`")) return 1;
  const ch = text[i]!;
  if (ch === "\\") return Math.min(2, end - i);
  // Runs are measured only where they matter, and emphasis needs no more than two: measuring
  // every letter's run (or a whole run of stars at each star) made long runs quadratic.
  const run =
    ch === "`" ? runLength(text, i, end, ch) : ch === "*" || ch === "_" ? runLength(text, i, end, ch, 2) : 1;
  if (top && top.mark[0] === "`") {
    if (ch === "`" && run === top.mark.length) stack.pop();
    return ch === "`" ? run : 1;
  }
  if (ch === "`") {
    stack.push({ mark: "`".repeat(run), start: i });
    return run;
  }
  if (ch === "*" || ch === "_") return emphasis(text, i, end, run, stack);
  if (ch === "[") stack.push({ mark: "[", start: i });
  if (ch === "]") return closeLinkText(text, i, stack);
  if (ch === ")" && top?.mark === "](") stack.pop();
  return 1;
}

function runLength(text: string, i: number, end: number, ch: string, max = Number.POSITIVE_INFINITY): number {
  let n = 0;
  while (n < max && i + n < end && text[i + n] === ch) n++;
  return n;
}

/** `**`/`__` and `*`/`_` with CommonMark's flanking idea: open before a word, close after one. */
function emphasis(text: string, i: number, end: number, run: number, stack: Open[]): number {
  const ch = text[i]!;
  const len = run >= 2 ? 2 : 1;
  const mark = ch.repeat(len);
  const before = text[i - 1] ?? " ";
  const after = i + len < end ? text[i + len]! : " ";
  const wordChar = /[\p{L}\p{N}]/u;
  const intraword = ch === "_" && wordChar.test(before) && wordChar.test(after);
  if (intraword) return len;
  const at = findMark(stack, mark);
  if (at !== -1 && !/\s/u.test(before)) {
    stack.length = at; // closes it and anything left open inside it
    return len;
  }
  if (!/\s/u.test(after)) stack.push({ mark, start: i });
  return len;
}

function closeLinkText(text: string, i: number, stack: Open[]): number {
  const at = findMark(stack, "[");
  if (at === -1) return 1;
  const start = stack[at]!.start;
  stack.length = at;
  if (text[i + 1] === "(") {
    stack.push({ mark: "](", start });
    return 2;
  }
  return 1;
}

function findMark(stack: Open[], mark: string): number {
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.mark === mark) return k;
  return -1;
}

/**
 * An ATX heading's level and text, its opening and closing `#`s removed, read by hand: the
 * regex form (`#+\s+(.+?)\s*#*\s*$`) backtracks cubically on a long run of spaces, and headings
 * come from model output and uploaded files. Null when the line is not a heading.
 */
export function headingTitle(line: string): { level: number; title: string } | null {
  let i = 0;
  while (i < 3 && (line[i] === " " || line[i] === "\t")) i++;
  let level = 0;
  while (line[i + level] === "#") level++;
  const after = line[i + level];
  if (level < 1 || level > 6 || (after !== undefined && after !== " " && after !== "\t")) return null;
  const title = line.slice(i + level).trim();
  // A closing run of #s counts only when whitespace separates it from the text ("# C#" keeps its #).
  let j = title.length;
  while (j > 0 && title[j - 1] === "#") j--;
  if (j === 0) return { level, title: "" };
  const spaced = j < title.length && (title[j - 1] === " " || title[j - 1] === "\t");
  return { level, title: spaced ? title.slice(0, j).trimEnd() : title };
}

/** A thematic break ("---", "* * *", "___"), checked by hand rather than with nested quantifiers. */
export function isThematicBreak(line: string): boolean {
  let indent = 0;
  while (indent < line.length && (line[indent] === " " || line[indent] === "\t")) indent++;
  if (indent > 3) return false;
  const marks = line.slice(indent).replace(/[ \t]/g, "").replace(/\s+$/, "");
  const mark = marks[0];
  if (marks.length < 3 || (mark !== "-" && mark !== "*" && mark !== "_")) return false;
  for (const c of marks) if (c !== mark) return false;
  return true;
}

/** A table's separator row ("|---|:--:|"), cell by cell. */
export function isTableSeparator(line: string): boolean {
  const row = line.trim();
  if (!row.includes("|") && !row.includes("-")) return false;
  const cells = row.replace(/^\|/, "").replace(/\|$/, "").split("|");
  return cells.length > 0 && cells.every((cell) => /^:?-{3,}:?$/.test(cell.trim()));
}
