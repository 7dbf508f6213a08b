import type { Chunk } from "../domain.ts";
import { type Cut, findCut } from "../text/cut.ts";
import { type Line, type MarkdownMap, mapMarkdown } from "../text/markdown.ts";

/**
 * Turns a streamed draft into postable chunks as soon as each is complete: the first chunk is
 * the title and the hook (so the person sees something fast), then one chunk per section
 * (an H1/H2 heading starts a new one), and a section too long for the platform is cut at the
 * last paragraph, line, sentence or word boundary that fits (see core/text/cut.ts).
 *
 * Chunks depend on the text alone, never on how the stream was sliced into deltas: a retried
 * job re-chunks the same draft into the same indexes. That is why a cut for length waits for
 * LOOKAHEAD characters past the limit: where a Thai word or an English sentence ends can depend
 * on what follows it.
 */

export interface ChunkerOptions {
  /** The platform's limit per message (Slack section 3,000; LINE 5,000). */
  maxChars: number;
  /** The first chunk is cut at this size if the hook paragraph is longer (default 600). */
  firstChunkChars?: number;
}

const LOOKAHEAD = 256;
/** Characters after a line start needed to tell whether the line is a heading ("###### "). */
const LINE_PREFIX = 8;
const SECTION_LEVEL = 2;
const MIN_MAX_CHARS = 40;
/** Some drafts title themselves with a bold line instead of "# ": it is a title, not the hook. */
const BOLD_TITLE = /^\s*(\*\*|__)[^*_\n]{1,150}\1\s*$/;

export class Chunker {
  private readonly maxChars: number;
  private readonly firstChars: number;
  /** Text received and not yet emitted, starting at the next chunk's first character. */
  private pending = "";
  private index = 0;
  private ended = false;
  /** Length of the fence opener put back in front of `pending` by the last cut. */
  private carried = 0;
  /** `pending` starts a new chunk and its leading whitespace has not been settled yet. */
  private fresh = true;

  constructor(options: ChunkerOptions) {
    if (!Number.isInteger(options.maxChars) || options.maxChars < MIN_MAX_CHARS) {
      throw new RangeError(`maxChars must be an integer of at least ${MIN_MAX_CHARS}`);
    }
    this.maxChars = options.maxChars;
    const first = Math.floor(options.firstChunkChars ?? 600);
    this.firstChars = Math.min(this.maxChars, Math.max(MIN_MAX_CHARS, first));
  }

  /** Adds a delta of the stream; returns the chunks it completed (often none). */
  push(delta: string): Chunk[] {
    if (this.ended) throw new Error("Chunker.push after end()");
    const lastLine = this.pending.lastIndexOf("\n");
    const lineStartUndecided = lastLine !== -1 && this.pending.length - lastLine - 1 < LINE_PREFIX;
    this.pending += delta;
    // Cuts only happen at line starts or past the length limit: skip the scan otherwise.
    const worthScanning =
      delta.includes("\n") || lineStartUndecided || this.pending.length >= this.budget() + LOOKAHEAD;
    return worthScanning ? this.drain() : [];
  }

  /** The stream is over: flushes everything left. */
  end(): Chunk[] {
    this.ended = true;
    const out = this.drain();
    const rest = this.pending.trimEnd();
    if (rest.trim()) out.push(this.emit(rest));
    this.pending = "";
    return out;
  }

  private budget(): number {
    return this.index === 0 ? this.firstChars : this.maxChars;
  }

  private drain(): Chunk[] {
    const out: Chunk[] = [];
    for (;;) {
      this.dropLeadingSpace();
      const cut = this.nextCut();
      if (!cut) return out;
      const text = this.pending.slice(0, cut.at).trimEnd() + cut.close;
      this.pending = cut.reopen + this.pending.slice(cut.at + cut.skip);
      this.carried = cut.reopen.length;
      this.fresh = true;
      out.push(this.emit(text));
    }
  }

  private emit(text: string): Chunk {
    return { index: this.index++, text };
  }

  /**
   * Whitespace between chunks belongs to neither. Blank lines go; the indentation of the
   * first line stays (it can mean code or a nested list), unless the cut was mid-line.
   */
  private dropLeadingSpace(): void {
    if (!this.fresh) return; // once only: a second pass would eat the indentation it kept
    const lead = /^\s*/u.exec(this.pending)![0];
    if (lead.length === this.pending.length) return; // all blank so far: wait for content
    const nl = lead.lastIndexOf("\n");
    this.pending = this.pending.slice(nl === -1 ? lead.length : nl + 1);
    this.fresh = false;
  }

  /** The next cut if the text received so far already decides it, else null (wait for more). */
  private nextCut(): Cut | null {
    if (!/\S/u.test(this.pending)) return null;
    const budget = this.budget();
    const window = this.pending.slice(0, budget + LOOKAHEAD);
    const map = mapMarkdown(window);
    const structural =
      this.index === 0 ? hookEnd(map, window, this.ended) : sectionStart(map, window, this.ended);
    if (structural !== null && structural <= budget)
      return { at: structural, close: "", reopen: "", skip: 0 };
    const complete = this.ended || this.pending.length >= budget + LOOKAHEAD;
    if (!complete || this.pending.trimEnd().length <= budget) return null;
    return findCut(window, budget, map, this.carried);
  }
}

/**
 * Whether a line's kind can no longer change as more text streams in: "#" may still become
 * "## " (a section) or "#hashtag" (text), and an empty line may still get words.
 */
function settled(line: Line, window: string, ended: boolean): boolean {
  if (ended || line.end < window.length) return true;
  const body = window.slice(line.start, line.end);
  if (!/\S/u.test(body)) return false;
  return body.length >= LINE_PREFIX || /^ {0,3}#{1,6}[ \t]/.test(body) || /^\s*[^\s#`~]/u.test(body);
}

/**
 * End of the hook: the first paragraph that is not a heading, once a blank line or a heading
 * after it proves it finished. The title and any headings before it ride along.
 */
function hookEnd(map: MarkdownMap, window: string, ended: boolean): number | null {
  const { lines } = map;
  const first = lines.findIndex(
    (l) => l.kind !== "blank" && l.kind !== "heading" && !BOLD_TITLE.test(window.slice(l.start, l.end)),
  );
  if (first === -1) return null;
  for (let i = first; i + 1 < lines.length; i++) {
    const next = lines[i + 1]!;
    if (!settled(next, window, ended)) return null;
    if (lines[i]!.kind === "code" || lines[i]!.kind === "fence-open") continue;
    if (next.kind === "blank" || next.kind === "heading") return lines[i]!.end;
  }
  return null;
}

/** Start of the first H1/H2 heading that has section content before it in this chunk. */
function sectionStart(map: MarkdownMap, window: string, ended: boolean): number | null {
  let content = false;
  for (const line of map.lines) {
    if (!settled(line, window, ended)) return null;
    const isSection = line.kind === "heading" && line.level <= SECTION_LEVEL;
    if (isSection && content) return line.start;
    if (line.kind !== "blank" && !isSection) content = true;
  }
  return null;
}
