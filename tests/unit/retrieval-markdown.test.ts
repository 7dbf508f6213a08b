import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkMarkdown, industrySlug, parseArticle } from "../../core/retrieval/markdown.ts";

describe("parseArticle", () => {
  it("reads front matter and keeps the title heading out of the body", () => {
    const a = parseArticle(
      '---\ntitle: "Grids that flex"\nindustry: Real Estate\nlanguage: en\n---\n\n# Grids that flex\n\nBody text.',
      "x.md",
    );
    expect(a).toEqual({
      title: "Grids that flex",
      industry: "real-estate",
      language: "en",
      body: "Body text.",
    });
  });

  it("falls back to the first heading, then the file name, and detects the language", () => {
    const thai = parseArticle("# ค้าปลีกยุคใหม่\n\nร้านค้าปลีกใช้ข้อมูลลูกค้าเพื่อวางแผนสินค้า AI และ CRM", "a.md");
    expect(thai).toMatchObject({ title: "ค้าปลีกยุคใหม่", industry: null, language: "th" });
    expect(parseArticle("Just a paragraph about banks.", "open-banking_notes.md")).toMatchObject({
      title: "open banking notes",
      language: "en",
    });
    expect(parseArticle("Intro.\n\n## Section one\n\nText.", "b.md").title).toBe("Section one");
  });

  it("makes industry slugs", () => {
    expect(industrySlug("  Oil & Gas ")).toBe("oil-gas");
    expect(industrySlug("")).toBeNull();
  });
});

describe("chunkMarkdown", () => {
  it("cuts every corpus article into passages of about 120-250 tokens, headings with their text", () => {
    for (const file of readdirSync("data/corpus")) {
      const a = parseArticle(readFileSync(`data/corpus/${file}`, "utf8"), file);
      const passages = chunkMarkdown(a.body);
      expect(passages.length, file).toBeGreaterThanOrEqual(2);
      for (const p of passages) {
        expect(p.tokens, file).toBeGreaterThanOrEqual(100);
        expect(p.tokens, file).toBeLessThanOrEqual(300);
        expect(p.text.trimEnd(), file).not.toMatch(/^#{1,6} .*$(?![\s\S])/m); // never ends on a heading
      }
      expect(
        passages
          .map((p) => p.text)
          .join("\n\n")
          .replace(/\s+/g, " "),
      ).toBe(a.body.replace(/\s+/g, " "));
    }
  });

  it("splits a paragraph longer than the maximum between sentences", () => {
    const long = Array.from(
      { length: 40 },
      (_, i) => `Sentence number ${i} explains one more operational detail.`,
    ).join(" ");
    const passages = chunkMarkdown(`## Long\n\n${long}`);
    expect(passages.length).toBeGreaterThan(1);
    for (const p of passages) expect(p.tokens).toBeLessThanOrEqual(250);
    expect(passages[0]!.text.startsWith("## Long\n\nSentence number 0")).toBe(true);
    expect(passages.at(-1)!.text.endsWith("detail.")).toBe(true);
  });

  it("returns nothing for an empty body", () => {
    expect(chunkMarkdown("  \n\n ")).toEqual([]);
  });
});
