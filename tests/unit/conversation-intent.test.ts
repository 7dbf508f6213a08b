import { describe, expect, it } from "vitest";
import {
  classifyIntent,
  type Intent,
  planRevision,
  type RevisionPlan,
} from "../../core/conversation/intent.ts";

type Expected = Intent["kind"];

/** [message, inside a draft's conversation?, expected intent, expected language] */
const TABLE: Array<[string, boolean, Expected, "en" | "th"]> = [
  // small talk, anywhere
  ["thanks", true, "small_talk", "en"],
  ["thanks!", false, "small_talk", "en"],
  ["Thank you so much!", true, "small_talk", "en"],
  ["ok", true, "small_talk", "en"],
  ["OK thanks", false, "small_talk", "en"],
  ["great, thanks!", true, "small_talk", "en"],
  ["perfect 👍", true, "small_talk", "en"],
  ["👍", true, "small_talk", "en"],
  ["🙏🙏", false, "small_talk", "en"],
  ["looks good", true, "small_talk", "en"],
  ["got it", true, "small_talk", "en"],
  ["ขอบคุณครับ", true, "small_talk", "th"],
  ["ขอบคุณครับ", false, "small_talk", "th"],
  ["ขอบคุณมากค่ะ", true, "small_talk", "th"],
  ["โอเค", true, "small_talk", "th"],
  ["โอเคครับ ขอบคุณ", false, "small_talk", "th"],
  ["ได้เลย", true, "small_talk", "th"],
  ["ได้เลยครับ", false, "small_talk", "th"],
  ["เยี่ยมมาก", true, "small_talk", "th"],
  ["รับทราบครับ", true, "small_talk", "th"],
  // stop
  ["stop", true, "stop", "en"],
  ["Stop!", false, "stop", "en"],
  ["cancel", true, "stop", "en"],
  ["cancel that please", true, "stop", "en"],
  ["never mind", true, "stop", "en"],
  ["ยกเลิก", true, "stop", "th"],
  ["ยกเลิกครับ", false, "stop", "th"],
  ["หยุด", true, "stop", "th"],
  ["หยุดเขียนก่อนนะ", true, "stop", "th"],
  // usage
  ["quota", true, "usage", "en"],
  ["quota?", false, "usage", "en"],
  ["how many articles do I have left?", false, "usage", "en"],
  ["how many left", true, "usage", "en"],
  ["what's my limit", false, "usage", "en"],
  ["check my usage", true, "usage", "en"],
  ["โควตาเหลือเท่าไหร่", false, "usage", "th"],
  ["โควต้าเหลือเท่าไหร่ครับ", true, "usage", "th"],
  ["เหลือกี่บทความ", false, "usage", "th"],
  ["วันนี้ใช้ไปกี่บทความแล้ว", true, "usage", "th"],
  // help
  ["help", true, "help", "en"],
  ["help", false, "help", "en"],
  ["how do I use this?", false, "help", "en"],
  ["วิธีใช้", false, "help", "th"],
  ["สวัสดีครับ", false, "help", "th"],
  // revisions inside a draft
  ["make it shorter", true, "revision", "en"],
  ["shorter please", true, "revision", "en"],
  ["ทำให้สั้นลงหน่อย", true, "revision", "th"],
  ["translate to Thai", true, "revision", "en"],
  ["แปลเป็นภาษาอังกฤษ", true, "revision", "th"],
  ["in Thai please", true, "revision", "en"],
  ["add a section on ESG", true, "revision", "en"],
  ["เพิ่มหัวข้อเรื่อง ESG", true, "revision", "th"],
  ["about 500 words", true, "revision", "en"],
  ["ประมาณ 500 คำ", true, "revision", "th"],
  ["more formal", true, "revision", "en"],
  ["ทางการขึ้นอีกนิด", true, "revision", "th"],
  ["for CFOs", true, "revision", "en"],
  ["fix a fact: the bank was founded in 1998", true, "revision", "en"],
  ["another angle", true, "revision", "en"],
  ["longer, with more detail on costs", true, "revision", "en"],
  ["focus on small banks", true, "revision", "en"],
  ["drop the section on risks", true, "revision", "en"],
  ["less jargon", true, "revision", "en"],
  ["AI in retail", true, "revision", "en"],
  // new requests
  ["write a new article about smart factories", true, "new_request", "en"],
  ["new article: the future of payments", true, "new_request", "en"],
  ["เขียนบทความใหม่เรื่องโรงงานอัจฉริยะ", true, "new_request", "th"],
  ["write an article about AI in retail for executives", false, "new_request", "en"],
  ["AI in retail", false, "new_request", "en"],
  ["เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก", false, "new_request", "th"],
  ["Change management in Thai banks", false, "new_request", "en"],
  ["เพิ่มยอดขายด้วย AI", false, "new_request", "th"],
  [
    "Import quotas and the future of agriculture trade in ASEAN markets, an executive view",
    false,
    "new_request",
    "en",
  ],
  // instructions with nothing to revise
  ["make it shorter", false, "no_draft", "en"],
  ["translate to Thai", false, "no_draft", "en"],
  ["ทำให้สั้นลงหน่อย", false, "no_draft", "th"],
  ["แปลเป็นภาษาอังกฤษ", false, "no_draft", "th"],
  ["add a section on ESG", false, "no_draft", "en"],
  ["more formal", false, "no_draft", "en"],
];

describe("intent: what a message is, before any LLM call", () => {
  it("has at least 60 phrasings", () => expect(TABLE.length).toBeGreaterThanOrEqual(60));

  it.each(TABLE)("%j (in a draft: %s) is %s in %s", (text, inDraft, kind, language) => {
    const intent = classifyIntent(text, { inDraft });
    expect({ kind: intent.kind, language: intent.language }).toEqual({ kind, language });
  });

  it("strips the mention before deciding", () => {
    expect(classifyIntent("<@U123ABC> thanks!", { inDraft: true }).kind).toBe("small_talk");
    expect(classifyIntent("@Article Bot make it shorter", { inDraft: true }).kind).toBe("revision");
  });

  it("answers an emoji in the draft's language", () => {
    expect(classifyIntent("👍", { inDraft: true, draftLanguage: "th" })).toEqual({
      kind: "small_talk",
      language: "th",
    });
  });

  it("stays linear on long adversarial input", () => {
    const text = `${"thanks ".repeat(500)}x`;
    expect(classifyIntent(text, { inDraft: true }).kind).toBe("revision");
    expect(classifyIntent("a".repeat(4_000), { inDraft: false }).kind).toBe("new_request");
  });
});

describe("revision plans", () => {
  const PLANS: Array<[string, Omit<RevisionPlan, "instruction">]> = [
    ["make it shorter", { kind: "shorter", targetWords: "shorter" }],
    ["ทำให้สั้นลงหน่อย", { kind: "shorter", targetWords: "shorter" }],
    ["Shorter", { kind: "shorter", targetWords: "shorter" }],
    ["make it longer", { kind: "longer", targetWords: "longer" }],
    ["about 500 words", { kind: "length", targetWords: 500 }],
    ["ประมาณ 1200 คำ", { kind: "length", targetWords: 1200 }],
    ["translate to Thai", { kind: "translate", language: "th" }],
    ["แปลเป็นภาษาอังกฤษ", { kind: "translate", language: "en" }],
    ["in Thai please", { kind: "translate", language: "th" }],
    ["translate it", { kind: "translate", language: "other" }],
    ["another angle", { kind: "angle", tone: "next" }],
    ["more formal", { kind: "tone", tone: "executive" }],
    ["more casual please", { kind: "tone", tone: "practical" }],
    ["analytical tone", { kind: "tone", tone: "analytical" }],
    ["for CFOs", { kind: "audience", audience: "CFOs" }],
    ["add a section on ESG", { kind: "edit" }],
    ["เพิ่มหัวข้อเรื่อง ESG", { kind: "edit" }],
    ["fix a fact: revenue was $2M, not $3M", { kind: "edit" }],
  ];
  it.each(PLANS)("%j plans %j", (text, plan) => {
    expect(planRevision(text)).toEqual({ ...plan, instruction: text });
  });
});
