import { encode } from "gpt-tokenizer/model/gpt-4o";
import { describe, expect, it } from "vitest";
import { countChat, countTokens, truncateToTokens } from "../../core/text/tokens.ts";
import { segmentStarts } from "../../core/text/words.ts";

const thaiWords = (t: string) =>
  [...new Intl.Segmenter("th", { granularity: "word" }).segment(t)]
    .filter((s) => s.isWordLike)
    .map((s) => s.segment);

describe("countTokens and countChat", () => {
  it("counts o200k tokens, and chat framing on top of the contents", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    const messages = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "hello world" },
    ] as const;
    expect(countChat(messages)).toBeGreaterThan(countTokens("Be brief.") + countTokens("hello world"));
  });
});

describe("truncateToTokens", () => {
  it("leaves text within the budget untouched", () => {
    expect(truncateToTokens("Leaders forecast demand per store.", 50)).toBe(
      "Leaders forecast demand per store.",
    );
  });

  it("cuts English at the end of a word, drops a dangling comma, and stays within the budget", () => {
    const text = "Retailers forecast demand, cut waste, and staff stores to footfall, ".repeat(10);
    const out = truncateToTokens(text, 20);
    expect(countTokens(out)).toBeLessThanOrEqual(20);
    expect(out).toMatch(/[a-z]…$/);
    expect(text.startsWith(out.slice(0, -1))).toBe(true);
    expect(segmentStarts(text).has(out.length - 1)).toBe(true);
  });

  it("never splits a Thai word, though Thai has no spaces to cut at", () => {
    const text = "ปัญญาประดิษฐ์กำลังเปลี่ยนโฉมธุรกิจค้าปลีกและการบริหารสินค้าคงคลังของผู้ประกอบการไทย".repeat(3);
    for (const budget of [5, 9, 13, 21]) {
      const out = truncateToTokens(text, budget);
      expect(countTokens(out)).toBeLessThanOrEqual(budget);
      const body = out.slice(0, -1);
      expect(text.startsWith(body)).toBe(true);
      // The cut is a word end of the whole text, and every word kept is a word of the source.
      expect(segmentStarts(text).has(body.length)).toBe(true);
      const source = new Set(thaiWords(text));
      for (const w of thaiWords(body)) expect(source.has(w), w).toBe(true);
    }
  });

  it("cuts one word longer than the budget at a grapheme instead of dropping it", () => {
    const url = `https://example.com/${"a1b2c3d4".repeat(40)}`;
    const out = truncateToTokens(url, 10);
    expect(countTokens(out)).toBeLessThanOrEqual(10);
    expect(out.length).toBeGreaterThan(10);
    expect(url.startsWith(out.slice(0, -1))).toBe(true);
  });
});

describe("countTokens on long text", () => {
  const english =
    "Digital transformation asks executives to rethink how value moves through the firm.  Data, people and process change together.\n";
  const thaiPhrases = "การเปลี่ยนแปลงทางดิจิทัล ช่วยให้ผู้บริหารมองเห็นโอกาสใหม่ ในตลาดที่แข่งขันสูง\n";

  it("counts spaced text of any length exactly as the tokenizer does", () => {
    for (const text of [english.repeat(80), thaiPhrases.repeat(120)])
      expect(countTokens(text)).toBe(encode(text).length);
  });

  it("counts a long unspaced run (a Thai sentence, emoji) within 2 % of the tokenizer, cut at word boundaries", () => {
    for (const text of ["ปัญญาประดิษฐ์เปลี่ยนธุรกิจ".repeat(400), "🚀📈".repeat(2_000)]) {
      const exact = encode(text).length;
      expect(Math.abs(countTokens(text) - exact) / exact).toBeLessThan(0.02);
    }
  });
});
