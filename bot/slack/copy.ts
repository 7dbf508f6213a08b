import type { KnownBlock } from "@slack/web-api";
import type { ArticleRequest, Language, Source } from "../../core/domain.ts";
import type { QuotaExceeded } from "../../core/quota/quotas.ts";
import type { Guidance } from "../../core/request/parse.ts";
import { escapeText } from "./mrkdwn.ts";

/**
 * Everything the Slack bot says, in the person's language (English or Thai). Never an error's
 * internals: codes become short human sentences.
 */

export interface Message {
  text: string;
  blocks?: KnownBlock[];
}

export const ACTIONS = {
  regenerate: "regenerate",
  shorten: "shorten",
  download: "download_markdown",
  retry: "retry",
} as const;

const T = {
  en: {
    writing: "Writing",
    words: (n: number) => `about ${fmt(n)} words`,
    for: (who: string) => `for ${who}`,
    inThai: "in Thai",
    inEnglish: "in English",
    requestedBy: (user: string) => `requested by <@${user}>`,
    status: {
      writing: ":hourglass_flowing_sand: Writing — the draft arrives in this thread as each section is done.",
      progress: (n: number) =>
        `:hourglass_flowing_sand: Writing — ${n} ${n === 1 ? "section" : "sections"} posted so far.`,
      cache: ":zap: From the topic cache — delivered at once, no new tokens spent.",
      resumed: ":arrows_counterclockwise: Picking up where the draft stopped.",
      done: (words: number) => `:white_check_mark: Done — ${fmt(words)} words in this thread.`,
      failed: ":warning: Stopped — this draft could not be finished.",
    },
    ready: "Draft ready",
    outline:
      "Outline ready (offline mode: no language model is configured, so this is a research brief and outline, not finished prose)",
    wordCount: (n: number) => `${fmt(n)} words`,
    fromCache: "from the topic cache (no new tokens)",
    sources: "Reference articles used",
    noSources: "No reference articles matched; written from the brief alone.",
    regenerate: "Regenerate",
    shorten: "Shorten",
    download: "Download .md",
    regenerateHint: "Regenerate writes a new angle and counts as a new article against your quota.",
    apology: "Sorry — I couldn't finish this draft.",
    reasons: {
      busy: "The writing service is busy right now.",
      slow: "The writing service took too long to answer.",
      paused: "Drafting is paused for a moment after repeated errors.",
      internal: "Something went wrong on our side.",
    },
    refunded: "It doesn't count against your quota.",
    tryAgain: "Try again",
    refusal: {
      burst: (r: QuotaExceeded) =>
        `You've asked for ${fmt(r.used)} articles in the last minute; your ${r.tier} plan allows ${fmt(r.max)} per minute. You can ask again ${when(r.resetsAt, "en")}.`,
      daily: (r: QuotaExceeded) =>
        `You've used ${fmt(r.used)} of your ${fmt(r.max)} articles for today (${r.tier} plan). Your quota resets ${when(r.resetsAt, "en")}.`,
      budget: (r: QuotaExceeded) =>
        `Your ${r.tier} plan's monthly budget is used up ($${money(r.used)} of $${money(r.max)}). It resets ${when(r.resetsAt, "en")}.`,
      title: ":no_entry: That would go over your quota.",
    },
    blocked: "Your access to Article Bot is paused. Please contact your workspace's Article Bot admin.",
    unavailable: "Sorry — I couldn't take that request just now. Please try again in a minute.",
    tryLike: "Try, for example:",
    formHint: "Or type `/article` for a form.",
    threadHint:
      "To change a draft, use the buttons under it. To ask for a new article, write to me in the main conversation.",
    gone: "That draft is no longer available.",
    notYours: "That draft belongs to another workspace.",
    uploadFailed: "Sorry — I couldn't attach the file here.",
    modalFailed: "Sorry — the form could not be opened in time. Please run `/article` again.",
    newAngle: (tone: string) => `A new angle: ${tone}.`,
    shorter: (n: number) => `A shorter version of about ${fmt(n)} words.`,
    secondTry: "A second try.",
    note: ":information_source:",
  },
  th: {
    writing: "กำลังเขียน",
    words: (n: number) => `ประมาณ ${fmt(n)} คำ`,
    for: (who: string) => `สำหรับ${who}`,
    inThai: "ภาษาไทย",
    inEnglish: "ภาษาอังกฤษ",
    requestedBy: (user: string) => `ขอโดย <@${user}>`,
    status: {
      writing: ":hourglass_flowing_sand: กำลังเขียน — บทความจะทยอยขึ้นในเธรดนี้ทีละส่วน",
      progress: (n: number) => `:hourglass_flowing_sand: กำลังเขียน — ส่งแล้ว ${n} ส่วน`,
      cache: ":zap: จากคลังบทความที่เคยเขียน — ส่งทันที ไม่ใช้โทเคนใหม่",
      resumed: ":arrows_counterclockwise: เขียนต่อจากจุดที่หยุดไว้",
      done: (words: number) => `:white_check_mark: เสร็จแล้ว — ${fmt(words)} คำในเธรดนี้`,
      failed: ":warning: หยุดแล้ว — เขียนบทความนี้ไม่สำเร็จ",
    },
    ready: "ร่างบทความเสร็จแล้ว",
    outline: "โครงร่างเสร็จแล้ว (โหมดออฟไลน์: ยังไม่ได้ตั้งค่าโมเดลภาษา จึงเป็นบทสรุปข้อมูลและโครงร่าง ไม่ใช่บทความฉบับเต็ม)",
    wordCount: (n: number) => `${fmt(n)} คำ`,
    fromCache: "จากคลังบทความที่เคยเขียน (ไม่ใช้โทเคนใหม่)",
    sources: "บทความอ้างอิงที่ใช้",
    noSources: "ไม่พบบทความอ้างอิงที่ตรงกัน จึงเขียนจากโจทย์อย่างเดียว",
    regenerate: "เขียนใหม่",
    shorten: "ย่อให้สั้นลง",
    download: "ดาวน์โหลด .md",
    regenerateHint: "ปุ่มเขียนใหม่จะเขียนในมุมใหม่ และนับเป็นบทความใหม่ในโควตาของคุณ",
    apology: "ขออภัย — เขียนบทความนี้ไม่สำเร็จ",
    reasons: {
      busy: "ระบบเขียนบทความไม่ว่างในขณะนี้",
      slow: "ระบบเขียนบทความตอบช้าเกินไป",
      paused: "ระบบพักการเขียนชั่วคราวหลังเกิดข้อผิดพลาดหลายครั้ง",
      internal: "เกิดข้อผิดพลาดในระบบของเรา",
    },
    refunded: "ครั้งนี้ไม่นับในโควตาของคุณ",
    tryAgain: "ลองอีกครั้ง",
    refusal: {
      burst: (r: QuotaExceeded) =>
        `คุณขอบทความไปแล้ว ${fmt(r.used)} ครั้งในหนึ่งนาทีที่ผ่านมา แพ็กเกจ ${r.tier} ขอได้ ${fmt(r.max)} ครั้งต่อนาที ขอใหม่ได้ ${when(r.resetsAt, "th")}`,
      daily: (r: QuotaExceeded) =>
        `วันนี้คุณใช้ไปแล้ว ${fmt(r.used)} จาก ${fmt(r.max)} บทความ (แพ็กเกจ ${r.tier}) โควตาจะรีเซ็ต ${when(r.resetsAt, "th")}`,
      budget: (r: QuotaExceeded) =>
        `งบประมาณรายเดือนของแพ็กเกจ ${r.tier} ใช้ครบแล้ว ($${money(r.used)} จาก $${money(r.max)}) จะรีเซ็ต ${when(r.resetsAt, "th")}`,
      title: ":no_entry: คำขอนี้เกินโควตาของคุณ",
    },
    blocked: "สิทธิ์การใช้งาน Article Bot ของคุณถูกระงับชั่วคราว กรุณาติดต่อผู้ดูแลระบบ",
    unavailable: "ขออภัย — ตอนนี้รับคำขอไม่ได้ กรุณาลองใหม่ในอีกสักครู่",
    tryLike: "ตัวอย่างคำขอ:",
    formHint: "หรือพิมพ์ `/article` เพื่อกรอกแบบฟอร์ม",
    threadHint: "หากต้องการแก้ไขบทความ ใช้ปุ่มใต้บทความ หากต้องการบทความใหม่ พิมพ์ถึงบอทในหน้าแชตหลัก",
    gone: "ไม่พบบทความนี้แล้ว",
    notYours: "บทความนี้เป็นของเวิร์กสเปซอื่น",
    uploadFailed: "ขออภัย — แนบไฟล์ที่นี่ไม่ได้",
    modalFailed: "ขออภัย — เปิดแบบฟอร์มไม่ทัน กรุณาพิมพ์ `/article` อีกครั้ง",
    newAngle: (tone: string) => `มุมมองใหม่: ${tone}`,
    shorter: (n: number) => `ฉบับสั้นลง ประมาณ ${fmt(n)} คำ`,
    secondTry: "ลองเขียนอีกครั้ง",
    note: ":information_source:",
  },
} satisfies Record<Language, unknown>;

export function words(language: Language) {
  return T[language];
}

export type Status = "writing" | "cache" | "resumed" | "failed" | { progress: number } | { done: number };

/** The parent message: what is being written, for whom, and a live status line. */
export function parentMessage(
  request: ArticleRequest,
  requester: string,
  status: Status,
  note?: string,
): Message {
  const t = T[request.language];
  const facts = [
    t.words(request.targetWords),
    t.for(request.audience),
    request.industry,
    request.tone,
    request.language === "th" ? t.inThai : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const title = `:memo: *${t.writing}: ${escapeText(request.topic)}*`;
  const lines = [title, `${escapeText(facts)} · ${t.requestedBy(requester)}`];
  if (request.keywords.length) lines.push(`_${escapeText(request.keywords.join(", "))}_`);
  if (note) lines.push(`${t.note} ${escapeText(note)}`);
  const statusText = statusLine(request.language, status);
  return {
    text: `${t.writing}: ${request.topic}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
      { type: "context", elements: [{ type: "mrkdwn", text: statusText }] },
    ],
  };
}

export function statusLine(language: Language, status: Status): string {
  const s = T[language].status;
  if (typeof status === "string") return s[status];
  return "progress" in status ? s.progress(status.progress) : s.done(status.done);
}

/** After the draft: word count, sources and the buttons. */
export function closingMessage(o: {
  generationId: string;
  request: ArticleRequest;
  words: number;
  sources: Source[];
  cacheHit: boolean;
  offline: boolean;
  canShorten: boolean;
}): Message {
  const t = T[o.request.language];
  const head = [
    `:white_check_mark: *${o.offline ? t.outline : t.ready}*`,
    t.wordCount(o.words),
    o.cacheHit ? t.fromCache : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const sources = o.sources.length
    ? `*${t.sources}*\n${o.sources
        .slice(0, 8)
        .map((s) => `• ${escapeText(s.title)}`)
        .join("\n")}`
    : t.noSources;
  const button = (text: string, action: string, style?: "primary") => ({
    type: "button" as const,
    text: { type: "plain_text" as const, text, emoji: true },
    action_id: action,
    value: o.generationId,
    ...(style ? { style } : {}),
  });
  return {
    text: `${o.offline ? t.outline : t.ready} · ${t.wordCount(o.words)}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: head } },
      { type: "section", text: { type: "mrkdwn", text: sources.slice(0, 3_000) } },
      {
        type: "actions",
        block_id: "draft_actions",
        elements: [
          button(t.regenerate, ACTIONS.regenerate),
          ...(o.canShorten ? [button(t.shorten, ACTIONS.shorten)] : []),
          button(t.download, ACTIONS.download, "primary"),
        ],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: t.regenerateHint }] },
    ],
  };
}

/** A short apology with a retry button; the code picks the sentence, never shown itself. */
export function failureMessage(o: {
  generationId: string;
  language: Language;
  code: string;
  refunded: boolean;
}): Message {
  const t = T[o.language];
  const reason = ["rate_limited", "unavailable"].includes(o.code)
    ? t.reasons.busy
    : o.code === "timeout"
      ? t.reasons.slow
      : o.code === "circuit_open"
        ? t.reasons.paused
        : t.reasons.internal;
  const text = [`:warning: ${t.apology}`, reason, o.refunded ? t.refunded : null].filter(Boolean).join(" ");
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text } },
      {
        type: "actions",
        block_id: "failure_actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: t.tryAgain, emoji: true },
            action_id: ACTIONS.retry,
            value: o.generationId,
            style: "primary",
          },
        ],
      },
    ],
  };
}

/** A refusal: usage, limit and when it resets (Slack shows the reset in the reader's own time zone). */
export function refusalMessage(refusal: QuotaExceeded, language: Language): Message {
  const t = T[language].refusal;
  const detail = t[refusal.limit](refusal);
  return {
    text: `${t.title} ${detail}`,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: `${t.title}\n${detail}` } }],
  };
}

export function guidanceMessage(g: Guidance): Message {
  const t = T[g.language];
  const examples = g.examples.map((e) => `• ${escapeText(e)}`).join("\n");
  return {
    text: g.message,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: escapeText(g.message) } },
      { type: "section", text: { type: "mrkdwn", text: `${t.tryLike}\n${examples}` } },
      { type: "context", elements: [{ type: "mrkdwn", text: t.formHint }] },
    ],
  };
}

export function plain(text: string): Message {
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}

export function notesMessage(notes: string[]): Message {
  return plain(notes.map((n) => `:information_source: ${escapeText(n)}`).join("\n"));
}

/**
 * Slack's date token renders in each reader's own time zone; the fallback (for clients that
 * cannot) is UTC.
 */
function when(at: Date, language: Language): string {
  const epoch = Math.floor(at.getTime() / 1000);
  const fallback = `${at.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  return language === "th"
    ? `<!date^${epoch}^{date_short_pretty} เวลา {time}|${fallback}>`
    : `<!date^${epoch}^{date_short_pretty} at {time}|${fallback}>`;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

function money(n: number): string {
  return n.toFixed(2);
}
