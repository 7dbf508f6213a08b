import { describe, expect, it } from "vitest";
import { findCut } from "../../core/text/cut.ts";
import { fenceAt, mapMarkdown } from "../../core/text/markdown.ts";

describe("mapMarkdown", () => {
  it("classifies lines, and knows fenced code from headings", () => {
    const text = "# Title\n\nText\n```bash\n# not a heading\n```\n## Next";
    const kinds = mapMarkdown(text).lines.map((l) => `${l.kind}${l.level || ""}`);
    expect(kinds).toEqual(["heading1", "blank", "text", "fence-open", "code", "fence-close", "heading2"]);
  });

  it("knows which fence is open at an offset, even one still streaming", () => {
    const text = "Intro\n~~~~sql\nSELECT 1;\n";
    const map = mapMarkdown(text);
    expect(fenceAt(map, text.indexOf("SELECT"))?.opener).toBe("~~~~sql");
    expect(fenceAt(map, text.indexOf("SELECT"))?.closer).toBe("~~~~");
    expect(fenceAt(map, 3)).toBeNull();
  });

  it("marks offsets inside bold, emphasis, code spans and links", () => {
    const text = "Plain **bold words** and _em_ and `a b` and [link text](https://x.com/a) end";
    const { inlineStart } = mapMarkdown(text);
    const inside = (needle: string) => inlineStart[text.indexOf(needle)] !== -1;
    expect(inside("words")).toBe(true);
    expect(inside(" b`")).toBe(true);
    expect(inside("text]")).toBe(true);
    expect(inside("x.com")).toBe(true);
    expect(inside("Plain")).toBe(false);
    expect(inside(" and _em")).toBe(false);
    expect(inside(" end")).toBe(false);
  });

  it("does not take snake_case, list bullets or arithmetic for emphasis", () => {
    const text = "Use snake_case_names here\n* a bullet\n5 * 3 = 15 fine";
    const { inlineStart } = mapMarkdown(text);
    for (const needle of ["here", "bullet", "fine"]) expect(inlineStart[text.indexOf(needle)]).toBe(-1);
  });

  it("forgets a stray marker at the paragraph's end", () => {
    const text = "A **stray marker\n\nNext paragraph";
    const { inlineStart } = mapMarkdown(text);
    expect(inlineStart[text.indexOf("marker")]).not.toBe(-1);
    expect(inlineStart[text.indexOf("Next")]).toBe(-1);
  });
});

describe("findCut", () => {
  it("prefers the last paragraph end that fits", () => {
    const text = `${"First paragraph sentence. ".repeat(4).trim()}\n\n${"Second one here. ".repeat(4).trim()}\n\n${"Third. ".repeat(40)}`;
    const cut = findCut(text, text.indexOf("Third") + 20);
    expect(text.slice(0, cut.at).endsWith("Second one here.")).toBe(true);
    expect(cut.close).toBe("");
  });

  it("falls back to the last sentence end, then the last word", () => {
    const text = `${"One short sentence. ".repeat(10)}${"word ".repeat(100)}`;
    expect(text.slice(0, findCut(text, 150).at).trimEnd().endsWith(".")).toBe(true);
    const words = "alpha beta gamma delta ".repeat(20);
    const cut = findCut(words, 30);
    expect(words.slice(0, cut.at)).toBe("alpha beta gamma delta alpha ");
  });

  it("moves the cut before a bold span rather than into it", () => {
    const text = `Some words then **a bold phrase that runs past the limit** and more.`;
    const cut = findCut(text, 40);
    expect(text.slice(0, cut.at)).toBe("Some words then ");
  });

  it("cuts a fenced block at a line end, closing it and reopening it", () => {
    const text = `\`\`\`ts\n${Array.from({ length: 20 }, (_, i) => `const v${i} = ${i};`).join("\n")}\n\`\`\``;
    const cut = findCut(text, 120);
    expect(cut.close).toBe("\n```");
    expect(cut.reopen).toBe("```ts\n");
    expect(text[cut.at]).toBe("\n");
    expect(cut.skip).toBe(1);
    expect(cut.at + cut.close.length).toBeLessThanOrEqual(120);
  });

  it("never leaves a heading alone at the end of a chunk", () => {
    const text = `Intro paragraph that is long enough to count.\n\n### A subheading\n\n${"Body text goes here. ".repeat(20)}`;
    const cut = findCut(text, 90);
    expect(text.slice(0, cut.at).trimEnd().endsWith("A subheading")).toBe(false);
  });
});
