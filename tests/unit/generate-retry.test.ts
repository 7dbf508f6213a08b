import { describe, expect, it } from "vitest";
import { maxOutputTokens } from "../../core/generate/openai.ts";
import { backoffDelay, retryAfterMs } from "../../core/generate/retry.ts";

describe("backoffDelay", () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it("doubles per retry, with jitter in the upper half, up to the ceiling", () => {
    expect(backoffDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1_000);
  });

  it("never retries sooner than the provider's retry-after", () => {
    expect(backoffDelay(1, policy, 2_500, () => 0.5)).toBe(2_500);
    expect(backoffDelay(3, policy, 10, () => 1)).toBe(400);
  });
});

describe("retryAfterMs", () => {
  it("prefers OpenAI's retry-after-ms, then seconds, then an HTTP date", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "350", "retry-after": "1" }))).toBe(350);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }))).toBe(2_000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe("maxOutputTokens", () => {
  it("gives Thai more tokens per word than English, and more again on older tokenizers", () => {
    const en = maxOutputTokens({ targetWords: 800, language: "en" }, "gpt-4o-mini");
    const th = maxOutputTokens({ targetWords: 800, language: "th" }, "gpt-4o-mini");
    const thOld = maxOutputTokens({ targetWords: 800, language: "th" }, "gpt-3.5-turbo");
    expect(en).toBe(Math.ceil(800 * 1.3 * 1.5 + 200));
    expect(th).toBeGreaterThan(en);
    expect(thOld).toBeGreaterThan(th);
    expect(maxOutputTokens({ targetWords: 800, language: "th" }, "ft:gpt-4o-mini-2024-07-18:acme::abc")).toBe(
      th,
    );
  });
});
