import { describe, expect, it } from "vitest";
import { sentenceBoundaries } from "../../core/text/sentences.ts";
import {
  countWords,
  lastGraphemeBoundary,
  lastWordBoundary,
  normalizeTopicWords,
  segmentStarts,
  topicKey,
  wordBoundaries,
  words,
} from "../../core/text/words.ts";
import { THAI_NO_SPACES } from "./fixtures/articles.ts";

describe("countWords", () => {
  it("counts English words, numbers included", () => {
    expect(countWords("AI cut stock-outs by 30% in 2024.")).toBe(8);
  });

  it("counts Thai words although Thai has no spaces", () => {
    // ICU: ปัญญา|ประดิษฐ์|กำลัง|เปลี่ยน|โฉม|ธุรกิจ|ค้า|ปลีก
    expect(countWords("ปัญญาประดิษฐ์กำลังเปลี่ยนโฉมธุรกิจค้าปลีก")).toBe(8);
    expect(countWords("เรื่องAIในธุรกิจ")).toBe(4);
  });

  it("does not count markdown symbols or link targets as words", () => {
    expect(
      countWords("# Title\n\n**Bold** _em_ `code` [a link](https://example.com/a/b) > quote\n\n- item"),
    ).toBe(8);
    expect(countWords("---\n\n| a | b |\n|---|---|")).toBe(2);
  });

  it("finds in a long mixed draft exactly the words one segmenter over the whole text finds", () => {
    // words() segments piece by piece for speed; the hashing embedder's vectors depend on it
    // giving the words of one pass over the whole text. (No Latin glued to Thai here, which
    // words() would separate first.)
    const paragraph = `## Retail ${THAI_NO_SPACES.slice(0, 600)} เรื่อง AI ใน 30% of stores,\tdon't   wait.\n\n`;
    const draft = paragraph.repeat(12);
    const whole = [...new Intl.Segmenter("th", { granularity: "word" }).segment(draft)]
      .filter((s) => s.isWordLike)
      .map((s) => s.segment);
    expect(draft.length).toBeGreaterThan(2_000);
    expect(words(draft)).toEqual(whole);
  });
});

describe("topic words and keys", () => {
  it("gives the same key whatever the case, punctuation and word order", () => {
    expect(topicKey("AI in Retail!", "en")).toBe(topicKey("retail AI", "en"));
    expect(topicKey("The future of digital banking?", "en")).toBe(topicKey("digital banking: future", "en"));
    expect(topicKey("AI in retail", "en")).not.toBe(topicKey("AI in banking", "en"));
  });

  it("segments Thai into words and drops Thai and English stop words", () => {
    expect(topicKey("AI ในธุรกิจค้าปลีก", "th")).toBe(topicKey("ธุรกิจค้าปลีกกับAI", "th"));
    expect(normalizeTopicWords("AI ในธุรกิจค้าปลีก", "th")).toEqual(["ai", "ธุรกิจ", "ค้า", "ปลีก"]);
    expect(normalizeTopicWords("the future of work", "en")).toEqual(["future", "work"]);
  });

  it("folds full-width letters and possessives", () => {
    expect(topicKey("ＡＩ in retail's future", "en")).toBe(topicKey("future of retail AI", "en"));
  });

  it("is empty when only stop words or symbols remain", () => {
    expect(topicKey("about the", "en")).toBe("");
    expect(topicKey("😀 !!!", "en")).toBe("");
  });
});

describe("word boundaries", () => {
  it("never cuts inside a Thai word", () => {
    const starts = segmentStarts(THAI_NO_SPACES);
    for (const max of [10, 57, 100, 333, 1_000]) {
      const at = lastWordBoundary(THAI_NO_SPACES, max);
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThanOrEqual(max);
      expect(starts.has(at)).toBe(true);
    }
  });

  it("keeps punctuation with its word", () => {
    const text = "The end. Next one, please.";
    expect(text.slice(0, lastWordBoundary(text, 8))).toBe("The end.");
    expect(text.slice(0, lastWordBoundary(text, 7))).toBe("The ");
    expect(wordBoundaries(text)).not.toContain(7);
  });

  it("returns the whole length when the text fits, and 0 when no boundary fits", () => {
    expect(lastWordBoundary("short", 100)).toBe(5);
    expect(lastWordBoundary("supercalifragilistic", 5)).toBe(0);
  });

  it("never splits a grapheme cluster", () => {
    const text = "👨‍👩‍👧ผู้บริหาร👍🏽";
    for (let max = 1; max < text.length; max++) {
      const at = lastGraphemeBoundary(text, max);
      expect(at).toBeLessThanOrEqual(max);
      const graphemes = [...new Intl.Segmenter("th", { granularity: "grapheme" }).segment(text)].map(
        (g) => g.index,
      );
      expect([...graphemes, text.length]).toContain(at);
    }
  });
});

describe("sentenceBoundaries", () => {
  it("finds English sentence ends and Thai spaces", () => {
    const en = "AI is here. Leaders act now! Do you?";
    expect(sentenceBoundaries(en).map((b) => en.slice(b, b + 3))).toEqual(["Lea", "Do "]);
    const th = "ต้นทุนลดลงอย่างมาก ผู้นำจึงลงมือก่อน";
    expect(sentenceBoundaries(th)).toEqual([th.indexOf("ผู้นำ")]);
  });
});
