import { describe, expect, it } from "vitest";
import { refusalMessage } from "../../bot/slack/copy.ts";
import { fileName } from "../../bot/slack/listeners/actions/download_markdown.ts";
import { articleModal, formErrors, formOf, readArticleForm, readOrigin } from "../../bot/slack/modal.ts";
import { parseArticleRequest } from "../../core/request/parse.ts";
import { nextTone } from "../../core/request/rules.ts";

describe("the /article form", () => {
  it("carries where it was opened and reads back what was submitted", () => {
    const view = articleModal({ channel: "C1", threadTs: "1.2" }, { topic: "x".repeat(300) });
    expect(readOrigin(view.private_metadata)).toEqual({ channel: "C1", threadTs: "1.2", language: "en" });
    expect(readOrigin(JSON.stringify({ channel: 7, language: "fr" }))).toEqual({ channel: null });
    expect(readOrigin("not json")).toEqual({ channel: null });
    expect((view.blocks[0] as any).element.initial_value).toHaveLength(200);
    const form = readArticleForm({
      topic: { value: { value: " AI in retail " } },
      industry: { value: { selected_option: { value: "retail" } } },
      length: { value: { value: "1200" } },
      keywords: { value: { value: "omnichannel, loyalty" } },
      language: { value: { selected_option: { value: "th" } } },
      audience: { value: { value: null } },
    });
    expect(form).toEqual({
      topic: "AI in retail",
      industry: "retail",
      audience: null,
      targetWords: "1200",
      keywords: "omnichannel, loyalty",
      language: "th",
      tone: null,
    });
    const parsed = parseArticleRequest({ kind: "form", form }, { maxWords: 2000 });
    expect(parsed.ok && parsed.request).toMatchObject({
      topic: "AI in retail",
      industry: "retail",
      targetWords: 1200,
      keywords: ["omnichannel", "loyalty"],
      language: "th",
    });
  });

  it("flags a topic without words and impossible lengths before the form closes", () => {
    expect(formErrors({ topic: "🚀 !!!" })).toEqual({ topic: expect.any(String) });
    expect(formErrors({ topic: "AI", targetWords: "50" })).toEqual({
      length: "Between 150 and 4,000 words.",
    });
    expect(formErrors({ topic: "ธนาคาร", targetWords: "800" })).toBeNull();
    expect(formErrors({ topic: "!!!", targetWords: "9000" }, "th")).toEqual({
      topic: "กรุณาพิมพ์หัวข้อเป็นคำอธิบาย",
      length: "ระหว่าง 150 ถึง 4,000 คำ",
    });
  });

  it("speaks the language of the typed topic, else the person's, and defaults the article's language to it", () => {
    const languageOf = (view: ReturnType<typeof articleModal>) =>
      (view.blocks.find((b: any) => b.block_id === "language") as any).element.initial_option.value;
    const thaiPerson = articleModal({ channel: null }, { person: "th" });
    expect(thaiPerson.title!.text).toBe("บทความใหม่");
    expect(languageOf(thaiPerson)).toBe("th");
    expect(readOrigin(thaiPerson.private_metadata).language).toBe("th");
    // Thai readers mix English terms in: a quarter of Thai letters makes the topic Thai, as the
    // core reads a typed request.
    const mixed = articleModal(
      { channel: "C1" },
      { topic: "กลยุทธ์การเปลี่ยนแปลง Digital Transformation Strategy", person: "en" },
    );
    expect(mixed.title!.text).toBe("บทความใหม่");
    expect(languageOf(mixed)).toBe("th");
    const english = articleModal({ channel: "C1" }, { topic: "AI in retail", person: "th" });
    expect(english.title!.text).toBe("New article");
    expect(languageOf(english)).toBe("en");
    expect(languageOf(articleModal({ channel: "C1" }, { topic: "ธนาคารดิจิทัล" }))).toBe("th");
  });

  it("writes a request again as a form the parser accepts unchanged", () => {
    const request = {
      topic: "Open banking",
      industry: "banking",
      audience: "CIOs",
      targetWords: 900,
      keywords: ["APIs"],
      language: "en" as const,
      tone: "practical" as const,
    };
    const parsed = parseArticleRequest({ kind: "form", form: formOf(request) }, { maxWords: 2000 });
    expect(parsed.ok && parsed.request).toEqual(request);
    expect(nextTone("executive")).toBe("visionary");
    expect(nextTone("analytical")).toBe("executive");
  });

  it("names downloads after the topic, Thai included", () => {
    expect(fileName("AI in healthcare: 2030 & beyond")).toBe("AI-in-healthcare-2030-beyond.md");
    expect(fileName("อนาคตของธนาคารดิจิทัล")).toBe("อนาคตของธนาคารดิจิทัล.md");
    expect(fileName("!!!")).toBe("article.md");
  });

  it("words refusals with usage, limit and a reset time Slack localises", () => {
    const m = refusalMessage(
      { limit: "daily", tier: "Free", used: 10, max: 10, resetsAt: new Date("2025-01-01T17:00:00Z") },
      "en",
    );
    expect(m.text).toContain(
      "You've used 10 of your 10 articles for today (Free plan). Your quota resets <!date^1735750800^{date_short_pretty} at {time}|2025-01-01 17:00 UTC>.",
    );
    const th = refusalMessage(
      { limit: "burst", tier: "Pro", used: 30, max: 30, resetsAt: new Date("2025-01-01T17:00:00Z") },
      "th",
    );
    expect(th.text).toContain("30 ครั้งต่อนาที");
  });
});
