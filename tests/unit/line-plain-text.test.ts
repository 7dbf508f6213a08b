import { describe, expect, it } from "vitest";
import { splitForLine, toPlainText } from "../../bot/line/plain-text.ts";
import { segmentStarts } from "../../core/text/words.ts";

describe("markdown to LINE plain text", () => {
  it("frames headings, turns lists into bullets and drops emphasis marks", () => {
    const md = [
      "# AI in Retail: The Advantage",
      "",
      "Most **leaders** know _why_ it matters, and *few* know where.",
      "",
      "## Where the value shows up",
      "",
      "- Faster **restocking**",
      "  - nested point",
      "* another point",
      "1. first step",
      "",
      "### A detail",
      "> A quote worth keeping",
      "",
      "---",
      "",
      "See [the report](https://example.com/r) or <https://example.com/x>, keep snake_case_names and 2*3*4.",
    ].join("\n");
    expect(toPlainText(md)).toBe(
      [
        "【AI in Retail: The Advantage】",
        "",
        "Most leaders know why it matters, and few know where.",
        "",
        "■ Where the value shows up",
        "",
        "• Faster restocking",
        "  ◦ nested point",
        "• another point",
        "1. first step",
        "",
        "▸ A detail",
        "│ A quote worth keeping",
        "",
        "──────────",
        "",
        "See the report (https://example.com/r) or https://example.com/x, keep snake_case_names and 2*3*4.",
      ].join("\n"),
    );
  });

  it("keeps code without its fences and tables as rows of cells", () => {
    const md = "```ts\nconst x = 1;\n```\n\n| Metric | Value |\n|---|---:|\n| **Cost** | 5 |";
    expect(toPlainText(md)).toBe("const x = 1;\n\nMetric | Value\n\nCost | 5");
  });

  it("keeps Thai text as it is", () => {
    expect(toPlainText("## ทำไมต้องเปลี่ยนตอนนี้\n\nองค์กรไทย**จำนวนมาก**กำลังปรับตัว")).toBe(
      "■ ทำไมต้องเปลี่ยนตอนนี้\n\nองค์กรไทยจำนวนมากกำลังปรับตัว",
    );
  });
});

describe("splitting for LINE's 5,000 characters", () => {
  it("prefers paragraph breaks", () => {
    const para = (n: number) => "word ".repeat(n).trim();
    const parts = splitForLine(`${para(600)}\n\n${para(600)}`, 5_000);
    expect(parts).toEqual([para(600), para(600)]);
  });

  it("cuts a Thai run with no spaces only between words", () => {
    const words = [
      "การ",
      "เปลี่ยนแปลง",
      "ดิจิทัล",
      "ธุรกิจ",
      "ลูกค้า",
      "ข้อมูล",
      "องค์กร",
      "ผู้บริหาร",
      "นวัตกรรม",
      "ความเสี่ยง",
    ];
    let text = "";
    for (let i = 0; text.length < 12_000; i++) text += words[(i * 7 + (i >> 3)) % words.length];
    const parts = splitForLine(text, 5_000);
    expect(parts.length).toBe(3);
    expect(parts.join("")).toBe(text);
    const starts = segmentStarts(text);
    let at = 0;
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(5_000);
      at += part.length;
      expect(starts.has(at)).toBe(true);
    }
  });

  it("never splits an emoji when there is no other place to cut", () => {
    const parts = splitForLine("😀".repeat(3_000), 5_000);
    expect(parts.join("")).toBe("😀".repeat(3_000));
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(5_000), expect(p.length % 2).toBe(0);
  });
});
