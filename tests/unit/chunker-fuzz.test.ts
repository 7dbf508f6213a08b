import { describe, expect, it } from "vitest";
import { Chunker } from "../../core/deliver/chunker.ts";
import type { Chunk } from "../../core/domain.ts";

/** mulberry32: seeded, so a failure reproduces. */
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

/** Markdown-ish noise: real constructs, broken ones, Thai, emoji and very long "words". */
const PIECES = [
  "# Title\n\n",
  "\n\n## Section\n\n",
  "\n### Sub\n",
  "Retail leaders act. ",
  "ผู้บริหารต้องลงมือก่อน ",
  "ปัญญาประดิษฐ์กำลังเปลี่ยนโฉมธุรกิจ",
  "**bold words** ",
  "**unclosed ",
  "_em_ ",
  "snake_case ",
  "`code` ",
  "`",
  "[link](https://x.com/a) ",
  "[broken ",
  "\n- item one\n- item two\n",
  "\n```\nconst a = 1;\nconst b = 2;\n```\n",
  "\n```\n",
  "| a | b |\n",
  "> quote\n",
  "😀👨‍👩‍👧 ",
  "e\u0301 ",
  "\n",
  "\n\n",
  "   ",
  "\t",
  `https://example.com/${"z".repeat(700)} `,
  "ก".repeat(400),
  "word ".repeat(50),
  "#hashtag ",
  "##",
  "#",
];

function randomArticle(next: () => number): string {
  let out = "";
  const parts = 5 + Math.floor(next() * 120);
  for (let i = 0; i < parts; i++) out += PIECES[Math.floor(next() * PIECES.length)];
  return out;
}

function randomDeltas(text: string, next: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = next() < 0.5 ? 1 + Math.floor(next() * 4) : 1 + Math.floor(next() * 900);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

function run(parts: string[], maxChars: number): Chunk[] {
  const chunker = new Chunker({ maxChars, firstChunkChars: 200 });
  return [...parts.flatMap((p) => chunker.push(p)), ...chunker.end()];
}

/** Content without the whitespace at seams and the markers the chunker may add to close and reopen. */
const essence = (text: string) => text.replace(/[\s`*_]/gu, "");
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("Chunker fuzz", () => {
  it("keeps its promises on 250 random drafts and streams", () => {
    const next = rng(99);
    for (let i = 0; i < 250; i++) {
      const article = randomArticle(next);
      const maxChars = [60, 150, 500, 3_000][i % 4]!;
      const whole = run([article], maxChars);
      expect(run(randomDeltas(article, next), maxChars), `draft ${i}`).toEqual(whole);
      expect(essence(whole.map((c) => c.text).join(""))).toBe(essence(article));
      for (const c of whole) {
        expect(c.text.length).toBeLessThanOrEqual(maxChars);
        expect(c.text.trim()).not.toBe("");
        expect(c.text).not.toMatch(LONE_SURROGATE);
      }
      expect(whole.map((c) => c.index)).toEqual(whole.map((_, k) => k));
    }
  });
});
