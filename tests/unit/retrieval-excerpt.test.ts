import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { plainText, trimExcerpt } from "../../core/retrieval/excerpt.ts";
import { chunkMarkdown, parseArticle } from "../../core/retrieval/markdown.ts";
import { countTokens } from "../../core/text/tokens.ts";

const passages = (file: string) => {
  const a = parseArticle(readFileSync(`data/corpus/${file}`, "utf8"), file);
  return chunkMarkdown(a.body).map((p) => p.text);
};
const thaiWords = (t: string) =>
  [...new Intl.Segmenter("th", { granularity: "word" }).segment(t)]
    .filter((s) => s.isWordLike)
    .map((s) => s.segment);

describe("trimExcerpt", () => {
  it("leaves a short passage whole, as plain prose", () => {
    const md =
      "## Heading\n\nA **bold** claim with a [link](https://example.com).\n\n- first point\n- second point";
    expect(trimExcerpt(md)).toBe("A bold claim with a link. first point second point");
    expect(plainText("# Only a title")).toBe("");
    expect(trimExcerpt("# Only a title")).toBe("# Only a title");
  });

  it("cuts an English passage to ~90 tokens at a sentence boundary", () => {
    const text = passages("retail-ai-store-operations.md")[0]!;
    expect(countTokens(text)).toBeGreaterThan(120);
    const out = trimExcerpt(text);
    expect(countTokens(out)).toBeLessThanOrEqual(90);
    expect(countTokens(out)).toBeGreaterThan(50);
    expect(out).toMatch(/[.!?] …$/); // whole sentences, and a mark that more followed
    expect(plainText(text).startsWith(out.replace(/ …$/, ""))).toBe(true);
  });

  it("starts at the sentence that matches the query", () => {
    const text = passages("retail-ai-store-operations.md")[1]!;
    expect(plainText(text).startsWith("Demand forecasting")).toBe(true);
    const out = trimExcerpt(text, 90, "staff scheduling: rosters matched to footfall");
    expect(out).toMatch(/^… /);
    expect(out).toContain("rosters");
    expect(countTokens(out)).toBeLessThanOrEqual(90);
  });

  it("never splits a Thai word", () => {
    const text = passages("th-healthcare-telemedicine.md")[0]!;
    const out = trimExcerpt(text, 40);
    expect(countTokens(out)).toBeLessThanOrEqual(40);
    const body = out.replace(/^… /, "").replace(/ ?…$/, "");
    // Every word of the excerpt is a word of the source, segmented the same way.
    const source = new Set(thaiWords(plainText(text)));
    for (const w of thaiWords(body)) expect(source.has(w), w).toBe(true);
    expect(plainText(text).replace(/\s+/g, " ")).toContain(body);
  });

  it("cuts a single over-long sentence at a word, with an ellipsis", () => {
    const sentence = `${"Leaders ".repeat(5)}${"should prioritise measurable operational outcomes ".repeat(20)}today.`;
    const out = trimExcerpt(sentence, 30);
    expect(countTokens(out)).toBeLessThanOrEqual(30);
    expect(out).toMatch(/[a-z]…$/);
    expect(sentence.startsWith(out.slice(0, -1))).toBe(true);
  });

  it("keeps four excerpts near 400 tokens", () => {
    const four = [
      "retail-ai-store-operations.md",
      "th-retail-omnichannel.md",
      "banking-embedded-finance.md",
      "th-banking-digital-lending.md",
    ].map((f) => trimExcerpt(passages(f)[0]!));
    const total = four.reduce((n, e) => n + countTokens(e), 0);
    expect(total).toBeLessThanOrEqual(400);
    expect(total).toBeGreaterThan(250);
  });
});
