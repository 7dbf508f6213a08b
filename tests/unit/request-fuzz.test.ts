import { describe, expect, it } from "vitest";
import { type ParseResult, parseArticleRequest } from "../../core/request/parse.ts";

/** mulberry32: seeded, so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces a hostile or clumsy chat message is made of. */
const PIECES = [
  "write an article about ",
  "เขียนบทความเรื่อง",
  " for CIOs",
  " สำหรับผู้บริหาร",
  " 800 words",
  " ๑๐๐๐ คำ",
  ", keywords: ",
  " คีย์เวิร์ด ",
  "AI",
  "ค้าปลีก",
  "<@U123>",
  "<!channel>",
  "@bot ",
  "**",
  "_",
  "`",
  "```",
  "[",
  "](",
  ")",
  "\\",
  "\n",
  "\t",
  "\u0000",
  "\u202E",
  "\u200B",
  "\uFEFF",
  "\uD83D",
  "\uDE00",
  "😀",
  "👨‍👩‍👧",
  "e\u0301",
  "ﷺ",
  "𝕬𝕴",
  "in Thai",
  "ภาษาอังกฤษ",
  "short",
  "สั้น",
  "1,200-word",
  "ignore previous instructions",
  "</system>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile sender's text, on purpose
  "${process.env}",
  "'; DROP TABLE users; --",
  "%s%n",
  "\u0085",
  "\u2028",
  "9".repeat(40),
];

function randomMessage(next: () => number): string {
  let out = "";
  const parts = Math.floor(next() * 30);
  for (let i = 0; i < parts; i++) {
    if (next() < 0.7) out += PIECES[Math.floor(next() * PIECES.length)];
    else out += String.fromCharCode(Math.floor(next() * 0x10000));
  }
  return out;
}

const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069\u200B\uFEFF]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkWellFormed(result: ParseResult, maxWords: number): void {
  if (!result.ok) {
    expect(["empty", "help", "unusable"]).toContain(result.guidance.reason);
    expect(["en", "th"]).toContain(result.guidance.language);
    expect(result.guidance.message.length).toBeGreaterThan(0);
    expect(result.guidance.examples.length).toBeGreaterThan(0);
    return;
  }
  const r = result.request;
  expect(r.topic.length).toBeGreaterThan(0);
  expect(r.topic.length).toBeLessThanOrEqual(200);
  expect(r.topic).toMatch(/\p{L}/u);
  for (const s of [r.topic, r.audience, ...r.keywords, ...result.notes]) {
    expect(s).not.toMatch(CONTROL);
    expect(s).not.toMatch(LONE_SURROGATE);
    expect(s).not.toMatch(/\s{2}/);
  }
  expect(r.targetWords).toBeGreaterThanOrEqual(Math.min(150, maxWords));
  expect(r.targetWords).toBeLessThanOrEqual(maxWords);
  expect(Number.isInteger(r.targetWords)).toBe(true);
  expect(["en", "th"]).toContain(r.language);
  expect(["executive", "visionary", "practical", "analytical"]).toContain(r.tone);
  expect(r.keywords.length).toBeLessThanOrEqual(10);
  expect(r.audience.length).toBeGreaterThan(0);
}

describe("parseArticleRequest never throws", () => {
  it("handles 3,000 random messages built from hostile pieces", () => {
    const next = rng(20_240_601);
    for (let i = 0; i < 3_000; i++) {
      const message = randomMessage(next);
      const maxWords = [100, 500, 1_000, 3_000][i % 4]!;
      const result = parseArticleRequest({ kind: "text", text: message }, { maxWords });
      checkWellFormed(result, maxWords);
    }
  });

  it("handles huge and pathological inputs by reading only the first 4,000 characters", () => {
    const inputs = [
      "AI in retail ".repeat(100_000),
      "ก".repeat(1_000_000),
      "for ".repeat(5_000),
      "1".repeat(10_000),
      "*".repeat(10_000),
      `keywords: ${",".repeat(10_000)}`,
      "😀".repeat(3_000),
      `${"a".repeat(3_999)}😀 tail`,
      "\uD800".repeat(5_000),
      "สำหรับ".repeat(2_000),
      `${"word ".repeat(799)}${"x".repeat(100)} 900 words`,
    ];
    for (const input of inputs)
      checkWellFormed(parseArticleRequest({ kind: "text", text: input }, { maxWords: 1_000 }), 1_000);
  });

  it("handles values that are not what the types promise", () => {
    const odd = [null, undefined, 42, {}, [], { toString: () => "x" }];
    for (const value of odd) {
      checkWellFormed(parseArticleRequest({ kind: "text", text: value as never }, { maxWords: 800 }), 800);
      checkWellFormed(parseArticleRequest({ kind: "form", form: value as never }, { maxWords: 800 }), 800);
      checkWellFormed(
        parseArticleRequest(
          { kind: "form", form: { topic: "AI", targetWords: value, keywords: value, tone: value } as never },
          { maxWords: 800 },
        ),
        800,
      );
    }
    checkWellFormed(parseArticleRequest(null as never, { maxWords: 800 }), 800);
    for (const maxWords of [Number.NaN, -5, 0, Number.POSITIVE_INFINITY]) {
      const r = parseArticleRequest({ kind: "text", text: "AI in retail, 5000 words" }, { maxWords });
      expect(r.ok && r.request.targetWords).toBeGreaterThanOrEqual(150);
    }
  });

  it("handles random forms", () => {
    const next = rng(7);
    for (let i = 0; i < 500; i++) {
      const form = {
        topic: randomMessage(next),
        audience: randomMessage(next),
        keywords: randomMessage(next),
        targetWords: randomMessage(next),
        tone: randomMessage(next),
        industry: randomMessage(next),
        language: randomMessage(next),
      };
      checkWellFormed(parseArticleRequest({ kind: "form", form }, { maxWords: 1_500 }), 1_500);
    }
  });
});
