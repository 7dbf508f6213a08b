import type { Language } from "../domain.ts";

/**
 * What the bot says instead of writing when a request cannot become an article, and the notes
 * it adds when it had to adjust one — always in the language the person wrote in.
 */

export interface Guidance {
  /** "empty": no topic was given; "help": they asked how to use the bot; "unusable": the topic has no words. */
  reason: "empty" | "help" | "unusable";
  language: Language;
  message: string;
  /** Requests they can copy, in their language. */
  examples: string[];
}

const EXAMPLES: Record<Language, string[]> = {
  en: [
    "write an article about AI in retail for executives, 800 words",
    "@bot the future of digital banking for CIOs 1200 words, keywords: open banking, embedded finance",
    "draft a short piece on smart factories, practical tone",
  ],
  th: [
    "เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก สำหรับผู้บริหาร 1000 คำ",
    "อนาคตของธนาคารดิจิทัล สำหรับ CIO 1200 คำ คีย์เวิร์ด: open banking, ฟินเทค",
    "โรงพยาบาลอัจฉริยะ แบบสั้น เชิงปฏิบัติ",
  ],
};

const MESSAGES: Record<Guidance["reason"], Record<Language, string>> = {
  empty: {
    en: "What should the article be about? Tell me the topic, and optionally who it is for and how long it should be.",
    th: "อยากให้เขียนบทความเรื่องอะไรครับ บอกหัวข้อมาได้เลย จะระบุกลุ่มผู้อ่านและความยาวด้วยก็ได้",
  },
  help: {
    en: 'I write business-article drafts on trends, digital transformation and future ideas. Send a topic, and optionally the audience ("for CIOs"), the length ("800 words", "short"), keywords ("keywords: a, b"), a tone (visionary, practical, analytical) or "in Thai".',
    th: 'บอทนี้ช่วยร่างบทความธุรกิจเกี่ยวกับเทรนด์ การเปลี่ยนแปลงสู่ดิจิทัล และไอเดียแห่งอนาคต ส่งหัวข้อมาได้เลย จะระบุกลุ่มผู้อ่าน ("สำหรับผู้บริหาร") ความยาว ("800 คำ", "แบบสั้น") คีย์เวิร์ด ("คีย์เวิร์ด: a, b") โทน (เชิงวิสัยทัศน์ เชิงปฏิบัติ เชิงวิเคราะห์) หรือ "ภาษาอังกฤษ" ด้วยก็ได้',
  },
  unusable: {
    en: "I couldn't find a topic in that message. Please describe the subject in words.",
    th: "ยังไม่พบหัวข้อในข้อความนี้ ช่วยพิมพ์หัวข้อที่ต้องการเป็นคำอธิบายสั้น ๆ ได้ไหมครับ",
  },
};

export function guidance(reason: Guidance["reason"], language: Language): Guidance {
  return { reason, language, message: MESSAGES[reason][language], examples: [...EXAMPLES[language]] };
}

/** Notes about adjustments, worded for the person. */
export const notes = {
  cappedToTier: (language: Language, max: number, asked: number) =>
    language === "th"
      ? `ความยาวสูงสุดของแพ็กเกจคุณคือ ${fmt(max)} คำ จึงปรับจาก ${fmt(asked)} คำเป็น ${fmt(max)} คำ`
      : `Your plan allows up to ${fmt(max)} words per article, so the draft is capped at ${fmt(max)} (you asked for ${fmt(asked)}).`,
  raisedToMinimum: (language: Language, min: number) =>
    language === "th"
      ? `บทความต้องยาวอย่างน้อย ${fmt(min)} คำ จึงปรับเป็น ${fmt(min)} คำ`
      : `Articles are at least ${fmt(min)} words, so the length was raised to ${fmt(min)}.`,
  topicShortened: (language: Language, max: number) =>
    language === "th"
      ? `หัวข้อยาวเกิน ${max} ตัวอักษร จึงตัดให้สั้นลง`
      : `The topic was longer than ${max} characters and was shortened.`,
  unknownTone: (language: Language, tone: string) =>
    language === "th"
      ? `ไม่รู้จักโทน "${tone}" จึงใช้โทนสำหรับผู้บริหาร`
      : `Unknown tone "${tone}"; using the executive tone.`,
  unreadableLength: (language: Language, value: string) =>
    language === "th"
      ? `อ่านความยาว "${value}" ไม่ออก จึงใช้ค่าเริ่มต้น`
      : `Couldn't read the length "${value}"; using the default.`,
};

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
