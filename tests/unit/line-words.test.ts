import { createHmac } from "node:crypto";
import { validateSignature } from "@line/bot-sdk";
import { describe, expect, it } from "vitest";
import { encodeAction, parseAction } from "../../bot/line/actions.ts";
import { retryKey } from "../../bot/line/client.ts";
import { failureMessage, refusalMessage } from "../../bot/line/copy.ts";
import { verifySignature } from "../../bot/line/ingress/verify.ts";
import { profileLanguage } from "../../bot/line/language.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { speakerLanguage } from "../../core/text/language.ts";

const text = (m: { type: string }) => (m as { type: string; text?: string }).text ?? "";

describe("LINE webhook signatures", () => {
  const secret = "0123456789abcdef0123456789abcdef";
  const body = Buffer.from(
    JSON.stringify({ destination: "U1", events: [{ type: "message", message: { text: "สวัสดี" } }] }),
  );

  it("agrees with @line/bot-sdk's validateSignature on the raw bytes", () => {
    const signature = createHmac("sha256", secret).update(body).digest("base64");
    expect(validateSignature(body, secret, signature)).toBe(true);
    expect(verifySignature(body, secret, signature)).toBe(true);
    expect(verifySignature(Buffer.from(body.toString().replace("U1", "U2")), secret, signature)).toBe(false);
    expect(verifySignature(body, secret.replace("0", "1"), signature)).toBe(false);
  });

  it("refuses missing, repeated, truncated and absurd signatures without throwing", () => {
    expect(verifySignature(body, secret, undefined)).toBe(false);
    expect(verifySignature(body, secret, "")).toBe(false);
    expect(verifySignature(body, secret, ["AAAA", "AAAA"])).toBe(false);
    expect(verifySignature(body, secret, "AAAA")).toBe(false);
    expect(verifySignature(body, secret, "%%%not base64%%%")).toBe(false);
    expect(verifySignature(body, secret, "A".repeat(10_000))).toBe(false);
  });

  it("accepts only the canonical base64 text, not other spellings of the same bytes", () => {
    const signature = createHmac("sha256", secret).update(body).digest("base64");
    const urlSafe = signature.replace(/\+/g, "-").replace(/\//g, "_");
    for (const variant of [
      `${signature}junk`,
      `${signature}=`,
      signature.replace(/=+$/, ""),
      ` ${signature}`,
      `${signature.slice(0, 10)} ${signature.slice(10)}`,
      `${signature.slice(0, 10)}\n${signature.slice(10)}`,
    ])
      expect(verifySignature(body, secret, variant), JSON.stringify(variant)).toBe(false);
    if (urlSafe !== signature) expect(verifySignature(body, secret, urlSafe)).toBe(false);
    expect(verifySignature(body, secret, signature)).toBe(true);
  });
});

describe("quick-reply postbacks", () => {
  it("round-trips every action with its language, within LINE's 300 characters", () => {
    const actions = [
      { kind: "shorter", generationId: "cmb1x2y3z4000abc" },
      { kind: "angle", generationId: "cmb1x2y3z4000abc" },
      { kind: "new_topic" },
      { kind: "pick_industry", industry: "real-estate" },
      { kind: "pick_length", words: 1500 },
    ] as const;
    for (const action of actions) {
      const data = encodeAction(action, "th");
      expect(data.length).toBeLessThanOrEqual(300);
      expect(parseAction(data)).toEqual({ action, lang: "th" });
    }
  });

  it("ignores postbacks it did not write", () => {
    for (const data of [
      undefined,
      42,
      "",
      "a=delete&g=1",
      "a=shorter&g=../../etc",
      "a=length&v=1e9",
      "a=industry&v=<script>",
      "x".repeat(301),
    ]) {
      expect(parseAction(data)).toBeNull();
    }
  });
});

describe("what the bot says", () => {
  const resetsAt = new Date("2025-03-11T17:00:00Z"); // midnight in Bangkok
  const now = new Date("2025-03-11T09:30:00Z");

  it("words a daily refusal in Thai with usage, limit and the reset time in Bangkok", () => {
    const m = text(
      refusalMessage(
        { limit: "daily", tier: "Free", used: 10, max: 10, resetsAt },
        "th",
        "Asia/Bangkok",
        now,
      ),
    );
    expect(m).toContain("10 จาก 10 บทความ");
    expect(m).toContain("แพ็กเกจ Free");
    expect(m).toMatch(/รีเซ็ต.*วันพุธที่ 12 มีนาคม.*00:00 น\. \(เวลาประเทศไทย\)/);
  });

  it("words burst and budget refusals in English", () => {
    const burst = text(
      refusalMessage(
        { limit: "burst", tier: "Pro", used: 30, max: 30, resetsAt: new Date(now.getTime() + 42_000) },
        "en",
        "Asia/Bangkok",
        now,
      ),
    );
    expect(burst).toMatch(/30 articles within a minute.*\(30 a minute\)[\s\S]*in 42 seconds/);
    const budget = text(
      refusalMessage(
        { limit: "budget", tier: "Free", used: 5, max: 5, resetsAt: new Date("2025-03-31T17:00:00Z") },
        "en",
        "Asia/Bangkok",
        now,
      ),
    );
    expect(budget).toMatch(
      /articles on the Free plan are used up[\s\S]*in 21 days \(on Tue 1 Apr, 00:00 \(Bangkok time\)\)/,
    );
    expect(budget).not.toContain("$"); // people read articles and days, not the provider's dollars
  });

  it("apologises without internals, and says the quota came back only when it did", () => {
    const request: ArticleRequest = {
      topic: "AI in retail",
      industry: null,
      audience: "executives",
      targetWords: 800,
      keywords: [],
      language: "en",
      tone: "executive",
    };
    const busy = text(
      failureMessage({ generationId: "g", request, code: "circuit_open", refunded: true }, "en"),
    );
    expect(busy).toMatch(/busy or not responding[\s\S]*given back/);
    expect(busy).not.toMatch(/circuit|open|500|error/i);
    const internal = text(
      failureMessage({ generationId: "g", request, code: "internal", refunded: false }, "th"),
    );
    expect(internal).toMatch(/ขัดข้อง/);
    expect(internal).not.toMatch(/คืนโควตา/);
  });

  it("hears Thai in Thai requests that use English terms", () => {
    expect(speakerLanguage("เขียนบทความเรื่อง Digital Transformation Strategy", "en")).toBe("th");
    expect(speakerLanguage("write about the Thai market", "th")).toBe("en");
    expect(speakerLanguage("🙂👍", "th")).toBe("th");
    expect(profileLanguage("th")).toBe("th");
    expect(profileLanguage("en-US")).toBe("en");
    expect(profileLanguage("ja")).toBe("en");
    expect(profileLanguage(undefined)).toBe("th");
  });

  it("derives one retry key per push, the same on every attempt", () => {
    expect(retryKey("gen1", "push", 0)).toBe(retryKey("gen1", "push", 0));
    expect(retryKey("gen1", "push", 0)).not.toBe(retryKey("gen1", "push", 1));
    expect(retryKey("gen1", "push", 0)).not.toBe(retryKey("gen2", "push", 0));
    expect(retryKey("gen1", "push", 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
