import { describe, expect, it } from "vitest";
import { Chunker } from "../../core/deliver/chunker.ts";
import type { Chunk } from "../../core/domain.ts";
import { segmentStarts } from "../../core/text/words.ts";
import { ENGLISH_ARTICLE, THAI_ARTICLE, THAI_NO_SPACES } from "./fixtures/articles.ts";

/** mulberry32: a tiny seeded PRNG, so every "random" stream is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts text into deltas like an LLM stream: mostly tokens, sometimes single chars or big bursts. */
function deltas(text: string, seed: number): string[] {
  const next = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const r = next();
    const size =
      r < 0.2
        ? 1
        : r < 0.8
          ? 1 + Math.floor(next() * 12)
          : r < 0.97
            ? 1 + Math.floor(next() * 300)
            : 1 + Math.floor(next() * 6000);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

interface Run {
  chunks: Chunk[];
  /** How many input characters had arrived when each chunk was emitted. */
  arrivedAt: number[];
}

function stream(text: string, parts: string[], opts: { maxChars: number; firstChunkChars?: number }): Run {
  const chunker = new Chunker(opts);
  const run: Run = { chunks: [], arrivedAt: [] };
  let arrived = 0;
  for (const part of parts) {
    arrived += part.length;
    for (const c of chunker.push(part)) run.chunks.push(c) && run.arrivedAt.push(arrived);
  }
  for (const c of chunker.end()) run.chunks.push(c) && run.arrivedAt.push(text.length);
  return run;
}

const FENCE_OPENER = /^(`{3,}|~{3,})[^\n]*\n/;

/**
 * Where each chunk's text lies in the original: chunks are contiguous slices of it, separated
 * by whitespace only, apart from a fence the chunker closed ("\n```") and reopened.
 */
function locate(original: string, chunks: Chunk[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let cursor = 0;
  for (const { text } of chunks) {
    const reopened = text.replace(FENCE_OPENER, "");
    const variants = [
      text,
      text.replace(/\n(`{3,}|~{3,})$/, ""),
      reopened,
      reopened.replace(/\n(`{3,}|~{3,})$/, ""),
    ];
    const span = variants
      .map((v) => [original.indexOf(v, cursor), v.length] as const)
      .find(([at]) => at !== -1 && original.slice(cursor, at).trim() === "");
    if (!span) throw new Error(`chunk not found in order in the original:\n${text.slice(0, 200)}`);
    spans.push([span[0], span[0] + span[1]]);
    cursor = span[0] + span[1];
  }
  expect(original.slice(cursor).trim()).toBe("");
  return spans;
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function checkInvariants(original: string, chunks: Chunk[], maxChars: number): void {
  expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
  const starts = segmentStarts(original);
  const spans = locate(original, chunks);
  for (const [i, c] of chunks.entries()) {
    expect(c.text.length).toBeLessThanOrEqual(maxChars);
    expect(c.text.trim()).not.toBe("");
    expect(count(c.text, "**") % 2, `unbalanced ** in chunk ${i}`).toBe(0);
    expect(count(c.text, "`") % 2, `unbalanced \` in chunk ${i}`).toBe(0);
    const [from, to] = spans[i]!;
    expect(starts.has(from), `chunk ${i} starts inside a word`).toBe(true);
    expect(starts.has(to), `chunk ${i} ends inside a word`).toBe(true);
  }
}

const ARTICLES = { english: ENGLISH_ARTICLE, thai: THAI_ARTICLE };

describe.each(Object.entries(ARTICLES))("Chunker on the %s article", (_name, article) => {
  describe.each([300, 700, 3_000, 5_000])("maxChars %i", (maxChars) => {
    const opts = { maxChars, firstChunkChars: Math.min(600, maxChars) };
    const whole = stream(article, [article], opts);

    it("keeps every chunk within the limit, whole words, balanced markdown, no text lost", () => {
      checkInvariants(article, whole.chunks, maxChars);
    });

    it("emits the same chunks whatever the delta sizes", () => {
      for (const seed of [1, 2, 3, 42, 2024]) {
        expect(stream(article, deltas(article, seed), opts).chunks).toEqual(whole.chunks);
      }
      expect(stream(article, [...article], opts).chunks).toEqual(whole.chunks);
    });
  });

  it("sends the title and the hook first, as soon as the hook's paragraph ends", () => {
    const [title, hook] = article.split("\n\n");
    const run = stream(article, [...article], { maxChars: 3_000 });
    expect(run.chunks[0]!.text).toBe(`${title}\n\n${hook}`);
    const hookEnd = article.indexOf(hook!) + hook!.length;
    expect(run.arrivedAt[0]).toBeLessThanOrEqual(hookEnd + 2);
  });

  it("sends each section as soon as the next heading starts, not at the end", () => {
    const run = stream(article, [...article], { maxChars: 3_000 });
    const sections = article.split(/\n(?=## )/).length;
    expect(run.chunks.length).toBe(sections);
    for (const [i, c] of run.chunks.slice(1).entries()) {
      expect(c.text.startsWith("## ")).toBe(true);
      const nextHeading = article.indexOf("\n## ", article.indexOf(c.text) + 1);
      if (nextHeading !== -1) expect(run.arrivedAt[i + 1]).toBeLessThanOrEqual(nextHeading + 8);
    }
  });
});

describe("Chunker on Thai without spaces", () => {
  it("cuts only between words of the whole text and loses nothing", () => {
    const opts = { maxChars: 300, firstChunkChars: 200 };
    const whole = stream(THAI_NO_SPACES, [THAI_NO_SPACES], opts);
    expect(whole.chunks.length).toBeGreaterThan(10);
    expect(whole.chunks.map((c) => c.text).join("")).toBe(THAI_NO_SPACES);
    checkInvariants(THAI_NO_SPACES, whole.chunks, 300);
    for (const seed of [7, 8, 9])
      expect(stream(THAI_NO_SPACES, deltas(THAI_NO_SPACES, seed), opts).chunks).toEqual(whole.chunks);
  });
});

describe("Chunker edge cases", () => {
  it("closes a fenced block it has to split and reopens it in the next chunk", () => {
    const code = Array.from({ length: 80 }, (_, i) => `total += orders[${i}].amount  # line ${i}`).join("\n");
    const text = `# Title\n\nHook paragraph.\n\n## Code\n\n\`\`\`python\n${code}\n\`\`\`\n\nAfter the code.`;
    const { chunks } = stream(text, deltas(text, 5), { maxChars: 500 });
    checkInvariants(text, chunks, 500);
    const inCode = chunks.filter((c) => c.text.includes("total +="));
    expect(inCode.length).toBeGreaterThan(3);
    for (const c of inCode) expect(c.text).toMatch(/^(?:[\s\S]*\n)?```python\n[^`]*\n```(?:\n[\s\S]*)?$/);
  });

  it("never emits empty chunks", () => {
    for (const text of ["", "   ", "\n\n\n", " \n \t \n"]) {
      const chunker = new Chunker({ maxChars: 3_000 });
      expect([...chunker.push(text), ...chunker.end()]).toEqual([]);
    }
    const { chunks } = stream(
      "# T\n\n\n\n\nHook.\n\n\n\n## A\n\n\n\nText.\n\n\n",
      ["# T\n\n\n\n\nHook.\n\n\n\n## A\n\n\n\nText.\n\n\n"],
      { maxChars: 100 },
    );
    expect(chunks.map((c) => c.text)).toEqual(["# T\n\n\n\n\nHook.", "## A\n\n\n\nText."]);
  });

  it("cuts a single word longer than the limit without splitting a grapheme", () => {
    const url = `https://example.com/${"a1b2👍🏽".repeat(1_500)}`;
    const text = `See ${url} now.`;
    const { chunks } = stream(text, deltas(text, 11), { maxChars: 3_000 });
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(3_000);
      expect(c.text).not.toMatch(/[\uD800-\uDBFF]$|^[\uDC00-\uDFFF]|^\u{1F3FD}/u);
    }
    expect(
      chunks
        .map((c) => c.text)
        .join("")
        .replace(/\s/g, ""),
    ).toBe(text.replace(/\s/g, ""));
  });

  it("does not cut inside bold text or a link", () => {
    const sentence =
      "Leaders **measure every model against a control group before they scale it** and read [the full playbook on measuring retail AI](https://example.com/playbook). ";
    const text = `# T\n\nHook.\n\n## S\n\n${sentence.repeat(30)}`;
    const { chunks } = stream(text, deltas(text, 3), { maxChars: 400 });
    checkInvariants(text, chunks, 400);
    for (const c of chunks) {
      expect(count(c.text, "[")).toBe(count(c.text, "]("));
      expect(count(c.text, "](")).toBe(count(c.text, ")"));
    }
  });

  it("closes and reopens bold text too long for any chunk", () => {
    const text = `# T\n\nHook.\n\n## S\n\n**${"every word of this bold run matters ".repeat(20).trim()}** after.`;
    const { chunks } = stream(text, deltas(text, 4), { maxChars: 200 });
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks.slice(2)) {
      expect(count(c.text, "**") % 2).toBe(0);
      expect(c.text).toMatch(/^\*\*\S/);
    }
  });

  it("takes a bold first line for the title, not for the hook", () => {
    const text = "**AI in Retail**\n\nThe hook paragraph.\n\n## First\n\nBody.";
    const { chunks } = stream(text, [...text], { maxChars: 3_000 });
    expect(chunks.map((c) => c.text)).toEqual([
      "**AI in Retail**\n\nThe hook paragraph.",
      "## First\n\nBody.",
    ]);
  });

  it("rejects a limit too small to hold a closed fence", () => {
    expect(() => new Chunker({ maxChars: 10 })).toThrow(RangeError);
    expect(() => new Chunker({ maxChars: 3_000.5 })).toThrow(RangeError);
  });

  it("refuses more text after end()", () => {
    const chunker = new Chunker({ maxChars: 3_000 });
    chunker.end();
    expect(() => chunker.push("late")).toThrow();
  });
});
