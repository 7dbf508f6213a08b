import { describe, expect, it } from "vitest";
import { parseArticle } from "../../core/retrieval/markdown.ts";
import { detectLanguage, speakerLanguage } from "../../core/text/language.ts";

describe("detectLanguage", () => {
  it("is Thai when Thai letters are most of the letters", () => {
    expect(detectLanguage("เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก")).toBe("th");
    expect(detectLanguage("การเปลี่ยนแปลงทางดิจิทัล with some English")).toBe("th");
    expect(detectLanguage("Digital transformation in ไทย")).toBe("en");
    expect(detectLanguage("write an article about AI in retail")).toBe("en");
  });

  it("falls back to English when there are no letters", () => {
    expect(detectLanguage("")).toBe("en");
    expect(detectLanguage("😀 123 !!!")).toBe("en");
    expect(detectLanguage("๑๒๓")).toBe("en");
  });

  it("does not count Thai digits as Thai: a Buddhist-era year beside an English word is English", () => {
    // The retrieval copy counted the whole Thai block (digits included) against Latin letters
    // and said "th" here; digits say nothing about the language of the words around them.
    expect(detectLanguage("๒๕๖๘ AI")).toBe("en");
    expect(detectLanguage("แผน ๒๕๖๘ AI")).toBe("th");
  });

  it("counts Thai letters, not the vowel signs and tone marks on them", () => {
    // 4 Thai letters carrying 5 marks, against 6 Latin letters: the Latin letters are the majority.
    // (Counting the marks as letters made this 9 "Thai letters" out of 10, and Thai.)
    const text = "ที่นี่ไม่ Growth";
    expect(text.match(/\p{L}/gu)).toHaveLength(10);
    expect(detectLanguage(text)).toBe("en");
    expect(detectLanguage("ที่นี่ไม่ AI")).toBe("th");
  });

  it("is the rule retrieval uses for a reference article's language", () => {
    expect(parseArticle("๒๕๖๘ AI", "year.md").language).toBe("en");
    expect(parseArticle("ร้านค้าปลีกใช้ข้อมูลลูกค้า AI และ CRM", "retail.md").language).toBe("th");
  });
});

describe("speakerLanguage", () => {
  it("answers in Thai from a quarter of Thai letters: Thai writers mix English terms in", () => {
    expect(speakerLanguage("เขียนบทความเรื่อง Digital Transformation Strategy")).toBe("th");
    expect(detectLanguage("เขียนบทความเรื่อง Digital Transformation Strategy")).toBe("en");
    expect(speakerLanguage("write about ไทย retail and banking")).toBe("en");
  });

  it("keeps the fallback when there are no letters", () => {
    expect(speakerLanguage("๑๒๓ 😀", "th")).toBe("th");
    expect(speakerLanguage("", "en")).toBe("en");
    expect(speakerLanguage("600")).toBe("en");
  });
});
