import type { KnownBlock } from "@slack/web-api";
import type { RevisionsExhausted } from "../../core/conversation/revise.ts";
import type { ArticleRequest, Language, SourceRef } from "../../core/domain.ts";
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
  stop: "stop",
  feedback: "draft_feedback",
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
    regenerateHint:
      "Regenerate rewrites this draft from another angle and Shorten condenses it, in this thread, without using an article. Or reply here with what to change.",
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
      workspace_daily: (r: QuotaExceeded) =>
        `Your workspace has used all ${fmt(r.max)} articles it allows for today. It resets ${when(r.resetsAt, "en")}.`,
      workspace_budget: (r: QuotaExceeded) =>
        `Your workspace's monthly budget for Article Bot is used up. It resets ${when(r.resetsAt, "en")}.`,
      overall_daily: (r: QuotaExceeded) =>
        `Article Bot has reached its overall spending limit for today. It resets ${when(r.resetsAt, "en")}.`,
      overall_budget: (r: QuotaExceeded) =>
        `Article Bot has reached its overall budget for this month. It resets ${when(r.resetsAt, "en")}.`,
      title: ":no_entry: That would go over your quota.",
    },
    blocked: "Your access to Article Bot is paused. Please contact your workspace's Article Bot admin.",
    unavailable: "Sorry — I couldn't take that request just now. Please try again in a minute.",
    tryLike: "Try, for example:",
    formHint: "Or type `/article` for a form.",
    gone: "That draft is no longer available.",
    notYours: "That draft belongs to another workspace.",
    uploadFailed: "Sorry — I couldn't attach the file here.",
    modalFailed: "Sorry — the form could not be opened in time. Please run `/article` again.",
    newAngle: (tone: string) => `A new angle: ${tone}.`,
    shorter: (n: number) => `A shorter version of about ${fmt(n)} words.`,
    secondTry: "A second try.",
    note: ":information_source:",
    conversation: {
      smallTalk:
        "You're welcome! Tell me in this thread what to change (shorter, another angle, translate to Thai…), or ask me for a new article.",
      usageTitle: ":bar_chart: Your usage",
      today: (used: number, limit: number | null) =>
        limit === null
          ? `Today: ${fmt(used)} articles (no daily limit)`
          : `Today: ${fmt(used)} of ${fmt(limit)} articles`,
      month: (spent: number, budget: number | null) =>
        budget === null
          ? `This month: $${money(spent)} (no monthly budget)`
          : `This month: $${money(spent)} of $${money(budget)} budget`,
      revisions: (used: number, max: number) => `This draft: ${fmt(used)} of ${fmt(max)} revisions`,
      resets: (at: Date) => `resets ${when(at, "en")}`,
      stopping:
        ":octagonal_sign: Stopping the draft. What was already written stays in the thread, and it doesn't count against your quota.",
      nothingToStop: "Nothing is being written here right now.",
      noDraft:
        "There is no draft in this conversation to change yet. Ask me for an article first, for example: `write about AI in retail for executives`.",
      waiting: (ahead: number) =>
        `:hourglass: Queued — I'll start as soon as the ${ahead === 1 ? "draft" : `${ahead} drafts`} before it in this thread ${ahead === 1 ? "is" : "are"} done.`,
      revisionsRefused: (r: { used: number; max: number; tier: string }) =>
        `This draft has had ${fmt(r.used)} of the ${fmt(r.max)} revisions your ${r.tier} plan allows. Ask for a new article to start a fresh draft.`,
      revising: ":hourglass_flowing_sand: Revising — the new version follows in this thread.",
      revisingNote: (instruction: string) => `Revising: ${instruction}`,
      stop: "Stop",
      stopped: (n: number) =>
        `:octagonal_sign: Stopped at your request — ${n} ${n === 1 ? "section" : "sections"} posted. It doesn't count against your quota.`,
    },
    live: {
      status: "is writing your draft…",
      loading: ["Reading the reference articles…", "Outlining the sections…", "Writing the first lines…"],
      card: ":hourglass_flowing_sand: Writing — the draft appears above as it is written.",
      helpful: "Helpful",
      notHelpful: "Not helpful",
    },
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
    regenerateHint:
      "ปุ่มเขียนใหม่จะเขียนบทความนี้ในมุมใหม่ และปุ่มย่อจะย่อให้สั้นลง ในเธรดนี้ โดยไม่นับเป็นบทความใหม่ หรือพิมพ์ตอบในเธรดนี้ว่าอยากแก้อะไร",
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
      workspace_daily: (r: QuotaExceeded) =>
        `เวิร์กสเปซของคุณใช้ครบ ${fmt(r.max)} บทความที่ได้รับต่อวันแล้ว จะรีเซ็ต ${when(r.resetsAt, "th")}`,
      workspace_budget: (r: QuotaExceeded) =>
        `งบประมาณรายเดือนของเวิร์กสเปซคุณสำหรับ Article Bot ใช้ครบแล้ว จะรีเซ็ต ${when(r.resetsAt, "th")}`,
      overall_daily: (r: QuotaExceeded) => `Article Bot ใช้งบรวมของวันนี้ครบแล้ว จะรีเซ็ต ${when(r.resetsAt, "th")}`,
      overall_budget: (r: QuotaExceeded) =>
        `Article Bot ใช้งบรวมของเดือนนี้ครบแล้ว จะรีเซ็ต ${when(r.resetsAt, "th")}`,
      title: ":no_entry: คำขอนี้เกินโควตาของคุณ",
    },
    blocked: "สิทธิ์การใช้งาน Article Bot ของคุณถูกระงับชั่วคราว กรุณาติดต่อผู้ดูแลระบบ",
    unavailable: "ขออภัย — ตอนนี้รับคำขอไม่ได้ กรุณาลองใหม่ในอีกสักครู่",
    tryLike: "ตัวอย่างคำขอ:",
    formHint: "หรือพิมพ์ `/article` เพื่อกรอกแบบฟอร์ม",
    gone: "ไม่พบบทความนี้แล้ว",
    notYours: "บทความนี้เป็นของเวิร์กสเปซอื่น",
    uploadFailed: "ขออภัย — แนบไฟล์ที่นี่ไม่ได้",
    modalFailed: "ขออภัย — เปิดแบบฟอร์มไม่ทัน กรุณาพิมพ์ `/article` อีกครั้ง",
    newAngle: (tone: string) => `มุมมองใหม่: ${tone}`,
    shorter: (n: number) => `ฉบับสั้นลง ประมาณ ${fmt(n)} คำ`,
    secondTry: "ลองเขียนอีกครั้ง",
    note: ":information_source:",
    conversation: {
      smallTalk: "ยินดีเลย! บอกในเธรดนี้ได้เลยว่าอยากแก้อะไร (ให้สั้นลง มุมมองใหม่ แปลเป็นภาษาอังกฤษ…) หรือขอบทความใหม่ก็ได้",
      usageTitle: ":bar_chart: การใช้งานของคุณ",
      today: (used: number, limit: number | null) =>
        limit === null
          ? `วันนี้: ${fmt(used)} บทความ (ไม่จำกัดต่อวัน)`
          : `วันนี้: ${fmt(used)} จาก ${fmt(limit)} บทความ`,
      month: (spent: number, budget: number | null) =>
        budget === null
          ? `เดือนนี้: $${money(spent)} (ไม่จำกัดงบรายเดือน)`
          : `เดือนนี้: $${money(spent)} จากงบ $${money(budget)}`,
      revisions: (used: number, max: number) => `บทความนี้: แก้ไขแล้ว ${fmt(used)} จาก ${fmt(max)} ครั้ง`,
      resets: (at: Date) => `รีเซ็ต ${when(at, "th")}`,
      stopping: ":octagonal_sign: กำลังหยุดเขียน ส่วนที่เขียนแล้วยังอยู่ในเธรด และครั้งนี้ไม่นับในโควตาของคุณ",
      nothingToStop: "ตอนนี้ไม่มีบทความที่กำลังเขียนอยู่ในที่นี้",
      noDraft: "ยังไม่มีบทความในบทสนทนานี้ให้แก้ไข ขอบทความก่อนได้เลย เช่น `เขียนเรื่อง AI ในธุรกิจค้าปลีกสำหรับผู้บริหาร`",
      waiting: (ahead: number) =>
        `:hourglass: อยู่ในคิว — จะเริ่มเขียนทันทีที่บทความก่อนหน้าในเธรดนี้ (${fmt(ahead)} รายการ) เสร็จ`,
      revisionsRefused: (r: { used: number; max: number; tier: string }) =>
        `บทความนี้แก้ไขไปแล้ว ${fmt(r.used)} จาก ${fmt(r.max)} ครั้งที่แพ็กเกจ ${r.tier} อนุญาต ขอบทความใหม่เพื่อเริ่มร่างใหม่ได้`,
      revising: ":hourglass_flowing_sand: กำลังแก้ไข — ฉบับใหม่จะตามมาในเธรดนี้",
      revisingNote: (instruction: string) => `กำลังแก้ไข: ${instruction}`,
      stop: "หยุด",
      stopped: (n: number) => `:octagonal_sign: หยุดตามที่ขอแล้ว — ส่งไปแล้ว ${n} ส่วน ครั้งนี้ไม่นับในโควตาของคุณ`,
    },
    live: {
      status: "กำลังเขียนบทความให้คุณ…",
      loading: ["กำลังอ่านบทความอ้างอิง…", "กำลังวางโครงเรื่อง…", "กำลังเขียนย่อหน้าแรก…"],
      card: ":hourglass_flowing_sand: กำลังเขียน — บทความจะปรากฏด้านบนระหว่างที่เขียน",
      helpful: "มีประโยชน์",
      notHelpful: "ไม่มีประโยชน์",
    },
  },
} satisfies Record<Language, unknown>;

export function words(language: Language) {
  return T[language];
}

export type Status =
  | "writing"
  | "cache"
  | "resumed"
  | "failed"
  | { progress: number }
  | { done: number }
  | { stopped: number };

/**
 * The parent message: what is being written, for whom, and a live status line; while the
 * draft is being written (when its generation is known) a Stop button.
 */
export function parentMessage(
  request: ArticleRequest,
  requester: string,
  status: Status,
  note?: string,
  generationId?: string,
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
  // Only while writing does the title say so: a finished, failed or stopped draft is just its topic.
  const writing = stillWriting(status);
  const title = writing
    ? `:memo: *${t.writing}: ${escapeText(request.topic)}*`
    : `:memo: *${escapeText(request.topic)}*`;
  const lines = [title, `${escapeText(facts)} · ${t.requestedBy(requester)}`];
  if (request.keywords.length) lines.push(`_${escapeText(request.keywords.join(", "))}_`);
  if (note) lines.push(`${t.note} ${escapeText(note)}`);
  const statusText = statusLine(request.language, status);
  return {
    text: writing ? `${t.writing}: ${request.topic}` : request.topic,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
      { type: "context", elements: [{ type: "mrkdwn", text: statusText }] },
      ...(generationId && writing ? [stopActions(t.conversation.stop, generationId)] : []),
    ],
  };
}

function stillWriting(status: Status): boolean {
  return status === "writing" || status === "resumed" || (typeof status === "object" && "progress" in status);
}

function stopActions(label: string, generationId: string): KnownBlock {
  return {
    type: "actions",
    block_id: "writing_actions",
    elements: [
      {
        type: "button",
        text: { type: "plain_text", text: label, emoji: true },
        action_id: ACTIONS.stop,
        value: generationId,
        style: "danger",
      },
    ],
  };
}

/** A draft under the person's own message: the Stop button while it is being written. */
export function writingCard(language: Language, generationId: string, note?: string): Message {
  const t = T[language];
  const line = note ? `${t.live.card}\n${t.note} ${escapeText(note)}` : t.live.card;
  return {
    text: line,
    blocks: [
      { type: "context", elements: [{ type: "mrkdwn", text: line }] },
      stopActions(t.conversation.stop, generationId),
    ],
  };
}

/** assistant.threads.setStatus while the model thinks (Slack rotates at most 10 loading messages). */
export function thinkingStatus(language: Language): { status: string; loading: string[] } {
  return { status: T[language].live.status, loading: T[language].live.loading.slice(0, 10) };
}

/** Under a stopped draft's text: what was posted, and that it was given back. */
export function stoppedMessage(language: Language, chunksDelivered: number): Message {
  return plain(T[language].conversation.stopped(chunksDelivered));
}

/** 👍/👎 under a draft (a context_actions block); the value says which vote on which version. */
export function feedbackBlock(language: Language, generationId: string): KnownBlock {
  const t = T[language].live;
  const side = (emoji: string, label: string, vote: "up" | "down") => ({
    text: { type: "plain_text" as const, text: emoji },
    value: `${vote}:${generationId}`,
    accessibility_label: label,
  });
  return {
    type: "context_actions",
    block_id: "draft_feedback",
    elements: [
      {
        type: "feedback_buttons",
        action_id: ACTIONS.feedback,
        positive_button: side("👍", t.helpful, "up"),
        negative_button: side("👎", t.notHelpful, "down"),
      },
    ],
  };
}

export function statusLine(language: Language, status: Status): string {
  const s = T[language].status;
  if (typeof status === "string") return s[status];
  if ("stopped" in status) return T[language].conversation.stopped(status.stopped);
  return "progress" in status ? s.progress(status.progress) : s.done(status.done);
}

/** After the draft: word count, sources and the buttons. */
export function closingMessage(o: {
  generationId: string;
  request: ArticleRequest;
  words: number;
  sources: SourceRef[];
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
      feedbackBlock(o.request.language, o.generationId),
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
export function refusalMessage(refusal: QuotaExceeded | RevisionsExhausted, language: Language): Message {
  const t = T[language].refusal;
  const detail =
    refusal.limit === "revisions"
      ? T[language].conversation.revisionsRefused(refusal)
      : t[refusal.limit](refusal);
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

// ---- The form, App Home and the agent DM (suggested prompts): wording by surface ----

export interface PromptWords {
  title: string;
  prompts: Array<{ title: string; message: string }>;
}

const SURFACES = {
  en: {
    form: {
      title: "New article",
      submit: "Write it",
      close: "Cancel",
      topic: "Topic",
      topicPlaceholder: "AI in healthcare",
      industry: "Industry",
      any: "Any",
      audience: "Audience",
      audiencePlaceholder: "executives",
      length: "Length (words)",
      lengthHint: "Your plan's maximum applies.",
      keywords: "Keywords",
      keywordsPlaceholder: "open banking, embedded finance",
      keywordsHint: "Separate with commas.",
      language: "Language",
      tone: "Tone",
      topicInWords: "Please describe the topic in words.",
      lengthBetween: (min: number, max: number) => `Between ${fmt(min)} and ${fmt(max)} words.`,
    },
    home: {
      title: ":memo: Article Bot",
      intro:
        "I write business-article drafts on trends, digital transformation and future ideas. Message me here, mention me in a channel, or use the form.",
      usage: (tier: string) => `*Your usage* · ${tier} plan`,
      newArticle: "New article",
      recent: "*Your latest drafts*",
      none: "No drafts yet. Press *New article*, or send me a topic in Messages, for example: `AI in retail for executives, 800 words`.",
      status: {
        QUEUED: ":hourglass: queued",
        RUNNING: ":hourglass_flowing_sand: being written",
        DELIVERED: ":white_check_mark: done",
        FAILED: ":warning: could not be finished",
        CANCELLED: ":octagonal_sign: stopped",
      },
      words: (n: number) => `${fmt(n)} words`,
      updated: (at: Date) => `updated ${when(at, "en")}`,
      notPosted: "not posted in Slack",
      refreshed: "Updated each time you open this tab.",
    },
    prompts: {
      title: "Ask for an article",
      prompts: [
        { title: "An article for executives", message: "AI in healthcare for executives, 1200 words" },
        {
          title: "A practical piece",
          message: "Smart factories for operations managers, practical tone, 800 words",
        },
        { title: "In Thai", message: "อนาคตของธนาคารดิจิทัล สำหรับผู้บริหาร 800 คำ" },
        { title: "How many do I have left?", message: "How many articles do I have left today?" },
      ],
    } satisfies PromptWords,
  },
  th: {
    form: {
      title: "บทความใหม่",
      submit: "เขียนเลย",
      close: "ยกเลิก",
      topic: "หัวข้อ",
      topicPlaceholder: "AI ในธุรกิจโรงพยาบาล",
      industry: "อุตสาหกรรม",
      any: "ทุกอุตสาหกรรม",
      audience: "กลุ่มผู้อ่าน",
      audiencePlaceholder: "ผู้บริหาร",
      length: "ความยาว (คำ)",
      lengthHint: "ไม่เกินความยาวสูงสุดของแพ็กเกจคุณ",
      keywords: "คีย์เวิร์ด",
      keywordsPlaceholder: "open banking, ฟินเทค",
      keywordsHint: "คั่นด้วยเครื่องหมายจุลภาค",
      language: "ภาษา",
      tone: "โทน",
      topicInWords: "กรุณาพิมพ์หัวข้อเป็นคำอธิบาย",
      lengthBetween: (min: number, max: number) => `ระหว่าง ${fmt(min)} ถึง ${fmt(max)} คำ`,
    },
    home: {
      title: ":memo: Article Bot",
      intro:
        "บอทนี้ช่วยร่างบทความธุรกิจเกี่ยวกับเทรนด์ การเปลี่ยนแปลงสู่ดิจิทัล และไอเดียแห่งอนาคต ส่งข้อความหาบอทที่นี่ แท็กบอทในแชนแนล หรือกรอกแบบฟอร์มก็ได้",
      usage: (tier: string) => `*การใช้งานของคุณ* · แพ็กเกจ ${tier}`,
      newArticle: "บทความใหม่",
      recent: "*บทความล่าสุดของคุณ*",
      none: "ยังไม่มีบทความ กด *บทความใหม่* หรือส่งหัวข้อมาในแท็บข้อความ เช่น `AI ในธุรกิจค้าปลีก สำหรับผู้บริหาร 800 คำ`",
      status: {
        QUEUED: ":hourglass: อยู่ในคิว",
        RUNNING: ":hourglass_flowing_sand: กำลังเขียน",
        DELIVERED: ":white_check_mark: เสร็จแล้ว",
        FAILED: ":warning: เขียนไม่สำเร็จ",
        CANCELLED: ":octagonal_sign: หยุดแล้ว",
      },
      words: (n: number) => `${fmt(n)} คำ`,
      updated: (at: Date) => `อัปเดต ${when(at, "th")}`,
      notPosted: "ยังไม่ได้ส่งใน Slack",
      refreshed: "ข้อมูลอัปเดตทุกครั้งที่เปิดแท็บนี้",
    },
    prompts: {
      title: "ขอบทความ",
      prompts: [
        { title: "บทความสำหรับผู้บริหาร", message: "AI ในธุรกิจโรงพยาบาล สำหรับผู้บริหาร 1200 คำ" },
        { title: "เชิงปฏิบัติ", message: "โรงงานอัจฉริยะ สำหรับผู้จัดการฝ่ายผลิต เชิงปฏิบัติ 800 คำ" },
        { title: "ภาษาอังกฤษ", message: "The future of digital banking for CIOs, 800 words" },
        { title: "เหลือกี่บทความ", message: "วันนี้เหลือกี่บทความ" },
      ],
    } satisfies PromptWords,
  },
} satisfies Record<Language, unknown>;

/** The article form's labels, hints and field errors. */
export function formWords(language: Language) {
  return SURFACES[language].form;
}

/** The App Home tab. */
export function homeWords(language: Language) {
  return SURFACES[language].home;
}

/** Suggested prompts pinned at the top of the DM with the app (at most 4, Slack's limit). */
export function suggestedPrompts(language: Language): PromptWords {
  return SURFACES[language].prompts;
}
