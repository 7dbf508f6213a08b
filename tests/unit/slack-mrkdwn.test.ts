import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  draftBlocks,
  escapeText,
  fallbackText,
  inline,
  splitSections,
  toMrkdwn,
} from "../../bot/slack/mrkdwn.ts";
import { Chunker } from "../../core/deliver/chunker.ts";

describe("markdown to Slack mrkdwn", () => {
  it("converts headings, bold, italics, strikethrough, links and lists", () => {
    expect(toMrkdwn("# Title **bold**")).toBe("*Title bold*");
    expect(inline("a **b** and *c* and _d_ and ~~e~~")).toBe("a *b* and _c_ and _d_ and ~e~");
    expect(inline("see [the report](https://x.com/a_b?c=1&d=2) now")).toBe(
      "see <https://x.com/a_b?c=1&amp;d=2|the report> now",
    );
    expect(inline("<https://example.com/x_y_z>")).toBe("<https://example.com/x_y_z>");
    expect(inline("[not a link](javascript:alert(1))")).toBe("not a link)");
    expect(toMrkdwn("- one\n- **two**\n  - nested\n1. first\n2) second\n- [x] done")).toBe(
      "• one\n• *two*\n    ◦ nested\n1. first\n2. second\n☑ done",
    );
    expect(toMrkdwn("> quoted **line**")).toBe("> quoted *line*");
    expect(toMrkdwn("---")).toBe("───");
  });

  it("escapes &, < and > in text and code, and leaves code alone otherwise", () => {
    expect(escapeText("a < b & c > d")).toBe("a &lt; b &amp; c &gt; d");
    expect(inline("use `**x** < y` here")).toBe("use `**x** &lt; y` here");
    expect(toMrkdwn("```ts\nconst a = **b**;\n```")).toBe("```\nconst a = **b**;\n```");
    expect(toMrkdwn("```\nunclosed")).toBe("```\nunclosed\n```");
  });

  it("keeps Thai text intact", () => {
    expect(toMrkdwn("## อนาคตของ **ธนาคารดิจิทัล**\n\nบทความนี้")).toBe("*อนาคตของ ธนาคารดิจิทัล*\n\nบทความนี้");
  });

  it("makes H1/H2 header blocks and mrkdwn sections", () => {
    const blocks = draftBlocks(
      "# The title\n\nHook paragraph.\n\n## Section\n\nBody **text**.\n\n### Minor\n\nMore.",
    );
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "header", "section"]);
    expect(blocks[3]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: "Body *text*.\n\n*Minor*\n\nMore." },
    });
  });

  it("keeps every section within 3,000 characters and a message within 50 blocks", () => {
    const long = Array.from(
      { length: 400 },
      (_, i) => `Sentence ${i} with & and <tags> that grow when escaped.`,
    ).join(" ");
    const blocks = draftBlocks(`## A\n\n${long}`);
    for (const b of blocks) if (b.type === "section") expect(b.text!.text.length).toBeLessThanOrEqual(3_000);
    const manyHeadings = Array.from({ length: 80 }, (_, i) => `## Heading ${i}\n\nText ${i}.`).join("\n\n");
    const packed = draftBlocks(manyHeadings);
    expect(packed.length).toBeLessThanOrEqual(50);
    expect(packed.every((b) => b.type === "section")).toBe(true);
    expect(fallbackText(long).length).toBeLessThanOrEqual(3_000);
  });

  it("closes and reopens a code block cut across sections", () => {
    const code = `\`\`\`\n${Array.from({ length: 200 }, (_, i) => `line ${i} of some code here`).join("\n")}\n\`\`\``;
    const parts = splitSections(toMrkdwn(code));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(3_000);
      expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
  });

  it("never exceeds Slack's limits for any chunk the chunker can produce (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.lorem({ maxCount: 60 }),
            fc.constantFrom(
              "## Head",
              "# Title",
              "- item **b**",
              "[l](https://x.y/&)",
              "<a&b>",
              "```",
              "ธนาคารดิจิทัลแห่งอนาคต",
            ),
          ),
          { maxLength: 120 },
        ),
        (parts) => {
          const chunker = new Chunker({ maxChars: 3_000 });
          const chunks = [...chunker.push(parts.join("\n\n")), ...chunker.end()];
          for (const c of chunks) {
            const blocks = draftBlocks(c.text);
            expect(blocks.length).toBeLessThanOrEqual(50);
            for (const b of blocks) {
              if (b.type === "section") expect(b.text!.text.length).toBeLessThanOrEqual(3_000);
              if (b.type === "header") expect(b.text.text.length).toBeLessThanOrEqual(150);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
