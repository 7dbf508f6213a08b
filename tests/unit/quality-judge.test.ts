import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../core/config.ts";
import { PROMPT_VERSION } from "../../core/generate/prompt.ts";
import { parseJudgeAnswer } from "../../core/quality/judge.ts";

const axis = (score: number) => ({ score, reason: "one line" });
const answer = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ coherence: axis(9), relevance: axis(8), originality: axis(7), style: axis(6), ...o });

describe("the judge's answer", () => {
  it("is a score only when all four axes are whole numbers 1–10 with a reason", () => {
    expect(parseJudgeAnswer(answer(), "m")).toEqual({
      status: "scored",
      model: "m",
      mean: 7.5,
      scores: { coherence: axis(9), relevance: axis(8), originality: axis(7), style: axis(6) },
    });
    expect(parseJudgeAnswer(`\`\`\`json\n${answer()}\n\`\`\``, "m").status).toBe("scored");
  });

  it("is unscored for junk, a missing axis, a score out of range, a fraction or no reason", () => {
    const unscored = { status: "unscored", model: "m", reason: "unparseable" };
    expect(parseJudgeAnswer("I would give it an 8.", "m")).toEqual(unscored);
    expect(parseJudgeAnswer("", "m")).toEqual(unscored);
    expect(parseJudgeAnswer(JSON.stringify({ coherence: axis(9) }), "m")).toEqual(unscored);
    expect(parseJudgeAnswer(answer({ style: axis(0) }), "m")).toEqual(unscored);
    expect(parseJudgeAnswer(answer({ style: axis(11) }), "m")).toEqual(unscored);
    expect(parseJudgeAnswer(answer({ style: axis(7.5) }), "m")).toEqual(unscored);
    expect(parseJudgeAnswer(answer({ style: { score: 7, reason: " " } }), "m")).toEqual(unscored);
    expect(parseJudgeAnswer(answer({ style: { score: "7", reason: "x" } }), "m")).toEqual(unscored);
  });
});

describe("judge configuration", () => {
  it("is off by default and samples one draft in ten when turned on", () => {
    expect(loadConfig({}).quality).toEqual({ judgeModel: undefined, judgeSampleRate: 0.1 });
    expect(
      loadConfig({ OPENAI_API_KEY: "sk-x", QUALITY_JUDGE_MODEL: "gpt-4o", QUALITY_JUDGE_SAMPLE_RATE: "0.25" })
        .quality,
    ).toEqual({ judgeModel: "gpt-4o", judgeSampleRate: 0.25 });
  });

  it("names the variable when the sample rate is not a share or the judge has no key", () => {
    for (const bad of ["2", "-0.1", "10%", "half"]) {
      expect(() => loadConfig({ QUALITY_JUDGE_SAMPLE_RATE: bad })).toThrow(
        /^QUALITY_JUDGE_SAMPLE_RATE must be a share/,
      );
    }
    expect(() => loadConfig({ QUALITY_JUDGE_MODEL: "gpt-4o" })).toThrow(ConfigError);
    expect(() => loadConfig({ QUALITY_JUDGE_MODEL: "gpt-4o" })).toThrow(
      /OPENAI_API_KEY must be set when QUALITY_JUDGE_MODEL/,
    );
  });
});

describe("the prompt version", () => {
  it("is the template's name and a hash of its wording", () => {
    expect(PROMPT_VERSION).toMatch(/^house@[0-9a-f]{10}$/);
  });
});
