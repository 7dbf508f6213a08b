import type { UsageAnswer } from "../../core/conversation/converse.ts";
import type { RevisionsExhausted } from "../../core/conversation/revise.ts";
import type { Language } from "../../core/domain.ts";
import type { LineMessage } from "./client.ts";
import { fmt, newTopicMessageWithLead, resetPhrase, text } from "./copy.ts";
import type { Plan } from "./plan.ts";

/**
 * What the bot says on LINE about the conversation around a draft — thanks, "how many do I
 * have left?", stop, waiting its turn, nothing to revise, the revisions limit — in English and
 * Thai. Kept beside copy.ts (which holds the rest of the bot's words) to keep each file short.
 */

type Text = Record<Language, string>;

const SMALL_TALK: Text = {
  en: "👍 Glad to help! Send a new topic any time, or tell me what to change in the draft.",
  th: "👍 ยินดีครับ ส่งหัวข้อใหม่มาได้ทุกเมื่อ หรือบอกได้เลยว่าอยากให้ปรับบทความตรงไหน",
};

/** "thanks", "ok", "ขอบคุณครับ", "ได้เลย": a short friendly answer, no article. */
export function smallTalkMessage(lang: Language): LineMessage {
  return text(SMALL_TALK[lang]);
}

/**
 * "quota", "โควตาเหลือเท่าไหร่": today's articles against the limit, the month's budget as a
 * share of the plan's (people think in articles and percent, not in the provider's dollars),
 * the current draft's revisions, and when each resets.
 */
export function usageMessage(
  u: UsageAnswer,
  lang: Language,
  timeZone: string,
  now = new Date(),
): LineMessage {
  const today = resetPhrase(u.today, lang, timeZone, now);
  const month = resetPhrase(u.month, lang, timeZone, now);
  const share =
    u.month.budgetUsd === null || u.month.budgetUsd <= 0
      ? null
      : Math.min(100, Math.round((u.month.spentUsd / u.month.budgetUsd) * 100));
  if (lang === "th") {
    const lines = [
      "📊 การใช้งานของคุณ",
      u.today.limit === null
        ? `วันนี้: ใช้ไป ${fmt(u.today.used)} บทความ (ไม่จำกัดจำนวนต่อวัน)`
        : `วันนี้: ใช้ไป ${fmt(u.today.used)} จาก ${fmt(u.today.limit)} บทความ · รีเซ็ต${today}`,
      share === null ? "เดือนนี้: ไม่จำกัดงบประมาณ" : `เดือนนี้: ใช้งบไปแล้ว ${share}% · รีเซ็ต${month}`,
    ];
    if (u.revisions)
      lines.push(`บทความล่าสุด: แก้ไขไปแล้ว ${fmt(u.revisions.used)} จาก ${fmt(u.revisions.max)} ครั้ง`);
    lines.push("การขอแก้ไขบทความไม่นับเป็นโควตาบทความรายวัน");
    return text(lines.join("\n"));
  }
  const lines = [
    "📊 Your usage",
    u.today.limit === null
      ? `Today: ${fmt(u.today.used)} articles (no daily limit)`
      : `Today: ${fmt(u.today.used)} of ${fmt(u.today.limit)} articles · resets ${today}`,
    share === null
      ? "This month: no budget limit"
      : `This month: ${share}% of your plan's budget used · resets ${month}`,
  ];
  if (u.revisions)
    lines.push(`Latest draft: ${fmt(u.revisions.used)} of ${fmt(u.revisions.max)} revisions used`);
  lines.push("Revising a draft doesn't use one of your daily articles.");
  return text(lines.join("\n"));
}

/** "stop", "ยกเลิก": the draft being written ends here, and it is given back. */
export function stoppedMessage(lang: Language, stoppedAny: boolean): LineMessage {
  if (!stoppedAny)
    return text(
      lang === "th"
        ? "ตอนนี้ไม่มีบทความที่กำลังเขียนอยู่ครับ จึงไม่มีอะไรให้หยุด"
        : "Nothing is being written right now, so there's nothing to stop.",
    );
  return text(
    lang === "th"
      ? "⏹ หยุดเขียนแล้วครับ บทความนี้จะไม่ส่งต่อ และไม่นับในโควตาของคุณ"
      : "⏹ Stopped. I won't send any more of that draft, and it doesn't count against your quota.",
  );
}

/** A request or revision that waits for the draft being written in this chat. */
export function waitingMessage(lang: Language, topic: string, ahead: number): LineMessage {
  if (lang === "th")
    return text(
      ahead > 1
        ? `⏳ รับทราบครับ จะเริ่มเขียน "${topic}" หลังจากบทความก่อนหน้าอีก ${fmt(ahead)} เรื่องเสร็จ`
        : `⏳ รับทราบครับ จะเริ่มเขียน "${topic}" ทันทีที่บทความก่อนหน้าเสร็จ`,
    );
  return text(
    ahead > 1
      ? `⏳ Got it — I'll start on "${topic}" after the ${fmt(ahead)} drafts before it are done.`
      : `⏳ Got it — I'll start on "${topic}" as soon as the draft before it is done.`,
  );
}

/** A revision, or a button, with no recent draft in this chat to apply it to. */
export function noDraftMessage(lang: Language, plan?: Plan | null): LineMessage {
  return newTopicMessageWithLead(
    lang,
    lang === "th"
      ? "ยังไม่มีบทความล่าสุดในแชตนี้ให้ปรับแก้ครับ ส่งหัวข้อมาได้เลย แล้วบอทจะเขียนให้"
      : "There's no recent draft in this chat to change. Send me a topic and I'll write one.",
    plan,
  );
}

/** The draft has had all the revisions the plan allows: named, with the way on. */
export function revisionsRefusalMessage(r: RevisionsExhausted, lang: Language): LineMessage {
  return text(
    lang === "th"
      ? `ขออภัยครับ บทความนี้แก้ไขไปแล้ว ${fmt(r.used)} จาก ${fmt(r.max)} ครั้งตามแพ็กเกจ ${r.tier}\nส่งหัวข้อใหม่เพื่อเริ่มบทความใหม่ได้เลย`
      : `Sorry — this draft has had ${fmt(r.used)} of the ${fmt(r.max)} revisions the ${r.tier} plan allows.\nSend a new topic to start a fresh draft.`,
  );
}
