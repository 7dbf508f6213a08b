import { describe, expect, it } from "vitest";
import type { ArticleRequest } from "../../core/domain.ts";
import { runChecks } from "../../core/quality/checks.ts";
import { assessDraft } from "../../core/quality/score.ts";
import { longestSharedRun } from "../../core/quality/text.ts";
import { countWords } from "../../core/text/words.ts";
import { COPIED_EN, EXCERPT, GOOD_EN, GOOD_TH, LOOPED_EN } from "./fixtures/drafts.ts";

const request = (over: Partial<ArticleRequest> = {}): ArticleRequest => ({
  topic: "AI in retail",
  industry: "retail",
  audience: "executives",
  targetWords: countWords(GOOD_EN),
  keywords: [],
  language: "en",
  tone: "executive",
  ...over,
});

const AVOID = ["in today's fast-paced world", "game-changer", "ในยุคที่โลกเปลี่ยนแปลงอย่างรวดเร็ว"];

function check(name: string, draft: string, over: Partial<ArticleRequest> = {}, excerpts: string[] = []) {
  const found = runChecks({ draft, request: request(over), excerpts, avoidPhrases: AVOID }).find(
    (c) => c.name === name,
  );
  if (!found) throw new Error(`no ${name} check`);
  return found;
}

describe("a good draft", () => {
  it("passes every check and scores 100", () => {
    const report = assessDraft({
      draft: GOOD_EN,
      request: request(),
      excerpts: [EXCERPT],
      avoidPhrases: AVOID,
    });
    expect(report.failed).toEqual([]);
    expect(report.score).toBe(100);
    expect(report.checks.map((c) => c.name)).toEqual([
      "length",
      "structure",
      "repetition",
      "overlap",
      "language",
      "keywords",
      "style",
    ]);
  });
});

describe("length", () => {
  it("fails a draft 40 % short and takes 40 % of its credit", () => {
    const target = Math.round(countWords(GOOD_EN) / 0.6);
    const c = check("length", GOOD_EN, { targetWords: target });
    expect(c.passed).toBe(false);
    expect(c.measured.ratio).toBe(0.6);
    // 40 % short is 20 points past the 20 % tolerance: 0.2 / 0.5 of the credit is gone.
    expect(c.credit).toBeCloseTo(0.6, 1);
    const report = assessDraft({
      draft: GOOD_EN,
      request: request({ targetWords: target }),
      excerpts: [],
      avoidPhrases: [],
    });
    expect(report.failed).toEqual(["length"]);
    expect(report.score).toBe(92);
  });

  it("passes within the tolerance and fails past the tier's cap", () => {
    const words = countWords(GOOD_EN);
    expect(check("length", GOOD_EN, { targetWords: Math.round(words / 0.85) }).passed).toBe(true);
    const capped = runChecks({
      draft: GOOD_EN,
      request: request({ targetWords: words }),
      maxWords: Math.floor(words / 2),
      excerpts: [],
      avoidPhrases: [],
    })[0];
    expect(capped?.passed).toBe(false);
    expect(capped?.credit).toBe(0);
    expect(capped?.measured.overCap).toBe(true);
  });
});

describe("structure", () => {
  it("finds the title, the hook, the sections and the closing takeaway", () => {
    expect(check("structure", GOOD_EN).measured).toEqual({
      title: true,
      intro: true,
      sections: 4,
      closing: true,
    });
  });

  it("names what is missing from a wall of text", () => {
    const wall = GOOD_EN.replace(/^#+ .*$/gm, "");
    const c = check("structure", wall);
    expect(c.passed).toBe(false);
    expect(c.measured).toEqual({ title: false, intro: true, sections: 0, closing: false });
    expect(c.credit).toBe(0.25);
  });
});

describe("repetition", () => {
  it("catches a looped draft", () => {
    const c = check("repetition", LOOPED_EN, { targetWords: countWords(LOOPED_EN) });
    expect(c.passed).toBe(false);
    expect(Number(c.measured.repeatedShare)).toBeGreaterThan(0.7);
    expect(c.credit).toBe(0);
    const report = assessDraft({
      draft: LOOPED_EN,
      request: request({ targetWords: countWords(LOOPED_EN) }),
      excerpts: [],
      avoidPhrases: [],
    });
    expect(report.failed).toEqual(["repetition"]);
  });

  it("leaves ordinary prose alone", () => {
    const c = check("repetition", GOOD_EN);
    expect(c.passed).toBe(true);
    expect(c.measured.repeatedShare).toBe(0);
  });
});

describe("overlap with the excerpts", () => {
  it("flags a draft that copies an excerpt word for word", () => {
    const c = check("overlap", COPIED_EN, {}, [EXCERPT]);
    expect(c.passed).toBe(false);
    expect(c.measured.longestSharedRun).toBe(countWords(EXCERPT));
    expect(c.credit).toBeLessThan(0.5);
  });

  it("does not flag a draft that only shares a few words with an excerpt", () => {
    const c = check("overlap", GOOD_EN, {}, [EXCERPT]);
    expect(c.passed).toBe(true);
    expect(Number(c.measured.longestSharedRun)).toBeLessThan(5);
    expect(c.measured.shared8GramShare).toBe(0);
  });

  it("measures the longest shared run of words", () => {
    expect(longestSharedRun(["a", "b", "c", "d", "e"], ["x", "b", "c", "d", "y"])).toBe(3);
    expect(longestSharedRun([], ["a"])).toBe(0);
  });
});

describe("a Thai draft", () => {
  const th = { language: "th" as const, targetWords: countWords(GOOD_TH) };

  it("is counted in Thai words and passes as Thai", () => {
    expect(countWords(GOOD_TH)).toBeGreaterThan(150);
    const report = assessDraft({ draft: GOOD_TH, request: request(th), excerpts: [], avoidPhrases: AVOID });
    expect(report.failed).toEqual([]);
    expect(report.score).toBe(100);
  });

  it("fails the language check when English was asked for", () => {
    const c = check("language", GOOD_TH, { targetWords: countWords(GOOD_TH) });
    expect(c.passed).toBe(false);
    expect(c.measured).toEqual({ written: "th", asked: "en" });
  });

  it("finds a Thai cliché and a Thai keyword without spaces around them", () => {
    const cliched = GOOD_TH.replace("ลูกค้ามองเห็น", "ในยุคที่โลกเปลี่ยนแปลงอย่างรวดเร็วลูกค้ามองเห็น");
    expect(check("style", cliched, th).measured.found).toEqual(["ในยุคที่โลกเปลี่ยนแปลงอย่างรวดเร็ว"]);
    const k = check("keywords", GOOD_TH, { ...th, keywords: ["ป้ายราคาอิเล็กทรอนิกส์", "บล็อกเชน"] });
    expect(k.measured.missing).toEqual(["บล็อกเชน"]);
    expect(k.credit).toBe(0.5);
  });

  it("catches a Thai loop", () => {
    const para = GOOD_TH.split("\n\n")[1] ?? "";
    const looped = `# ซ้ำ\n\n${Array.from({ length: 6 }, () => para).join("\n\n")}`;
    expect(check("repetition", looped, th).passed).toBe(false);
  });
});

describe("keywords and house style", () => {
  it("names the keywords a draft left out, case and spacing ignored", () => {
    const c = check("keywords", GOOD_EN, { keywords: ["Electronic  Shelf Labels", "blockchain"] });
    expect(c.passed).toBe(false);
    expect(c.measured.missing).toEqual(["blockchain"]);
  });

  it("names each avoided phrase a draft uses", () => {
    const cliched = GOOD_EN.replace("Shoppers notice", "In Today's fast-paced world, shoppers notice");
    const c = check("style", cliched.replace("Pricing follows", "A game-changer: pricing follows"));
    expect(c.passed).toBe(false);
    expect(c.measured.found).toEqual(["in today's fast-paced world", "game-changer"]);
  });
});
