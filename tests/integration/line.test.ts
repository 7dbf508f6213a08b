import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRequesterTier } from "../../admin/app/requesters.server.ts";
import { LineApi } from "../../bot/line/client.ts";
import { createInbox } from "../../bot/line/ingress/inbox.ts";
import { parseWebhookBatch } from "../../bot/line/ingress/webhook.ts";
import { toPlainText } from "../../bot/line/plain-text.ts";
import { watchMessageQuota } from "../../bot/line/quota.ts";
import type { AppContext } from "../../core/app.ts";
import type { Tone } from "../../core/domain.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { readMessageQuota } from "../../core/records/message-quota.ts";
import { nextTone, shorterTarget } from "../../core/request/rules.ts";
import { segmentStarts } from "../../core/text/words.ts";
import { dayColumn } from "../../core/time.ts";
import type { HttpServer } from "../../ops/server.ts";
import {
  type DeliveredMessage,
  type FakeLine,
  flexButtons,
  isContinueCard,
  isResultCard,
  type LineEvent,
  lineId,
} from "../fakes/line.ts";
import type { FakeOpenAI } from "../fakes/openai.ts";
import { finalGeneration } from "../helpers/generations.ts";
import { type LineBot, startLineBot } from "../helpers/line-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * The LINE bot end to end: LINE's signed webhooks into the real bot server, the core pipeline
 * on PostgreSQL, Redis and BullMQ, the fake OpenAI writing, and the draft going back through
 * @line/bot-sdk to a fake Messaging API that enforces LINE's limits.
 */

let openai: FakeOpenAI;
let line: FakeLine;
let app: AppContext;
let pipeline: Pipeline;
let server: HttpServer;
let bot: LineBot;
let webhookUrl: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const isFooter = isResultCard;
const isContinue = isContinueCard;
const buttonData = (d: DeliveredMessage, label: RegExp) =>
  flexButtons(d.message).find((b) => label.test(b.label))!.data;
const isApology = (d: DeliveredMessage) =>
  /^(Sorry — I couldn't finish|ขออภัยครับ ไม่สามารถเขียนบทความ)/.test(d.message.text ?? "");

/**
 * Waits for the draft's closing card (or an apology) and returns what the chat received,
 * tapping "Continue reading" as a reader would when a part ends with it.
 */
async function conversation(
  chatId: string,
  ends: (d: DeliveredMessage) => boolean = isFooter,
  userId = chatId,
): Promise<DeliveredMessage[]> {
  let tapped = 0;
  await until(`the conversation in ${chatId} to end`, async () => {
    const got = line.messagesTo(chatId);
    if (got.some(ends)) return true;
    const more = got.filter(isContinue);
    if (more.length > tapped) {
      tapped = more.length;
      const groupId = chatId.startsWith("C") ? chatId : undefined;
      await send(line.events.postback({ userId, groupId, data: buttonData(more.at(-1)!, /./) }));
    }
    return false;
  });
  return line.messagesTo(chatId);
}

/** Moves a person to a tier (they write once first, so the requester exists). */
async function onTier(userId: string, tier: string): Promise<void> {
  await send(line.events.text({ userId, text: "hello" }));
  await until("the greeting's answer", () => line.messagesTo(userId).length >= 1);
  const t = await app.db.prisma.tier.findUniqueOrThrow({ where: { name: tier } });
  await app.db.prisma.requester.updateMany({ where: { externalId: userId }, data: { tierId: t.id } });
}

function send(...events: LineEvent[]) {
  return line.deliver(webhookUrl, events);
}

async function generationFor(event: LineEvent) {
  return finalGeneration(app.db, `LINE:${event.webhookEventId}`);
}

beforeAll(async () => {
  bot = await startLineBot("ab_line");
  ({ openai, line, app, pipeline, server, webhookUrl } = bot);
});

afterAll(async () => {
  await bot?.close();
});

describe("LINE drafts", () => {
  it("writes an English draft as one free reply: packed plain-text bubbles and the result card, no push", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Dana", language: "en" });
    const event = line.events.text({
      userId: user,
      text: "write an article about AI in retail for executives, 800 words",
    });
    expect((await send(event)).status).toBe(200);

    const got = await conversation(user);
    expect(got.length).toBeLessThanOrEqual(5); // a whole 800-word draft in one reply
    expect(got.every((d) => d.via === "reply")).toBe(true);
    expect(isFooter(got.at(-1)!)).toBe(true);
    for (const d of got.slice(0, -1)) {
      expect(d.message.type).toBe("text");
      expect(d.message.text!.length).toBeLessThanOrEqual(5_000);
      expect(d.message.text).not.toMatch(/^#{1,6} |\*\*|^\s*[-*] /m); // LINE shows markdown as typed: none left
    }
    expect(got[0]!.message.text).toMatch(/^【.+】/);
    expect(got.some((d) => /^■ /m.test(d.message.text!))).toBe(true);

    const footer = got.at(-1)!.message;
    expect(footer.altText).toMatch(/Draft ready · \d+ words/);
    expect(flexButtons(footer).map((b) => b.label)).toEqual([
      "✂️ Shorter",
      "🔄 Another angle",
      "🆕 New topic",
      "👍",
      "👎",
    ]);
    expect(line.calls.some((c) => c.endpoint === "push" && (c.body as { to: string }).to === user)).toBe(
      false,
    );
    expect(
      line.calls.some(
        (c) =>
          c.endpoint === "loading" &&
          (c.body as { chatId: string }).chatId === user &&
          (c.body as { loadingSeconds: number }).loadingSeconds === 60,
      ),
    ).toBe(true);

    const g = await generationFor(event);
    expect(g.status).toBe("DELIVERED");
    expect(g.language).toBe("en");
    expect(g.requester.displayName).toBe("Dana");
    expect(g.tenant.externalId).toBe(line.botUserId);
  });

  it("writes a Thai draft for a Thai request, with Thai words around it", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "สมชาย", language: "th" });
    const event = line.events.text({ userId: user, text: "เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก สำหรับผู้บริหาร" });
    await send(event);
    const got = await conversation(user);
    expect(got.filter((d) => !isFooter(d)).every((d) => /[\u0E01-\u0E4E]/.test(d.message.text!))).toBe(true);
    const footer = got.at(-1)!.message;
    expect(footer.altText).toMatch(/ร่างบทความเสร็จแล้ว · \d+ คำ/);
    expect(
      flexButtons(footer)
        .map((b) => b.label)
        .slice(0, 3),
    ).toEqual(["✂️ สั้นลง", "🔄 มุมมองอื่น", "🆕 หัวข้อใหม่"]);
    expect((await generationFor(event)).language).toBe("th");
  });

  it("splits a long Thai draft only between words, within 5,000 characters per message", async () => {
    const draft = longThaiDraft();
    openai.set({ reply: draft });
    try {
      // An admin moved this client to Enterprise (4,000 words): the long draft is not cut short.
      const user = lineId();
      await send(line.events.text({ userId: user, text: "สวัสดี" }));
      await until("the greeting's answer", () => line.messagesTo(user).length === 1);
      const enterprise = await app.db.prisma.tier.findUniqueOrThrow({ where: { name: "Enterprise" } });
      const requester = await app.db.prisma.requester.findFirstOrThrow({ where: { externalId: user } });
      const moved = await setRequesterTier(
        app,
        { userId: "", email: "ops@example.com", ip: "127.0.0.1" },
        requester.id,
        enterprise.id,
      );
      expect(moved.ok).toBe(true);
      await send(line.events.text({ userId: user, text: "เขียนบทความเรื่องเศรษฐกิจดิจิทัลของไทย 4000 คำ" }));
      const got = await conversation(user);
      const body = got
        .slice(1)
        .filter((d) => d.message.type === "text")
        .map((d) => d.message.text!);
      expect(body.length).toBeGreaterThan(3);
      // Bubbles are the draft as plain text (headings framed), packed and cut again.
      const plain = toPlainText(draft);
      const starts = segmentStarts(plain);
      let cutsInsideRuns = 0;
      for (const text of body) {
        expect(text.length).toBeLessThanOrEqual(5_000);
        // Where this message ends in the draft must be a place ICU's word segmentation allows.
        const tail = text.slice(-60);
        const end = plain.indexOf(tail) + tail.length;
        expect(plain.indexOf(tail)).toBeGreaterThanOrEqual(0);
        expect(plain.indexOf(tail, plain.indexOf(tail) + 1)).toBe(-1); // unambiguous
        if (end < plain.length && !/\s/.test(plain[end]!)) {
          cutsInsideRuns += 1;
          expect(starts.has(end)).toBe(true);
        }
      }
      expect(cutsInsideRuns).toBeGreaterThan(0); // the draft forced cuts inside Thai runs, and each was between words
      // Longer than one reply: 4 bubbles and "Continue reading", the rest by the tap's free reply.
      expect(got.filter(isContinue)).toHaveLength(1);
      expect(got.every((d) => d.via === "reply")).toBe(true);
    } finally {
      openai.set({ reply: null });
    }
  });

  it("on Pro, pushes everything with retry keys when the reply token is stale; on Free, keeps it and says why", async () => {
    const pro = lineId();
    const free = lineId();
    await onTier(pro, "Pro");
    await onTier(free, "Free");
    line.set({ replyTokenTtlMs: 0 });
    try {
      await send(line.events.text({ userId: pro, text: "the future of digital banking for CIOs" }));
      const got = (await conversation(pro)).slice(1);
      expect(got.every((d) => d.via === "push")).toBe(true);
      expect(isFooter(got.at(-1)!)).toBe(true);
      const pushes = line.calls.filter((c) => c.endpoint === "push" && (c.body as { to: string }).to === pro);
      for (const p of pushes) {
        expect(p.headers["x-line-retry-key"]).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect((p.body as { messages: unknown[] }).messages.length).toBeLessThanOrEqual(5);
      }
      expect(new Set(pushes.map((p) => p.headers["x-line-retry-key"])).size).toBe(pushes.length);
      expect(line.calls.some((c) => c.endpoint === "reply" && c.status === 400)).toBe(true);

      const ask = line.events.text({ userId: free, text: "the future of digital banking for CFOs" });
      await send(ask);
      await until(
        "the Free draft recorded as not delivered",
        async () => (await generationFor(ask)).errorCode === "reply_expired",
      );
      expect(line.messagesTo(free).filter((d) => d.via === "push")).toHaveLength(0);
    } finally {
      line.set({ replyTokenTtlMs: 60_000 });
    }
  });

  it("delivers a push once when LINE accepted it but the answer was lost (409 on the retry)", async () => {
    const user = lineId();
    await onTier(user, "Pro");
    line.set({ replyTokenTtlMs: 0, failure: { only: "push", kind: "after-accept", status: 500, times: 1 } });
    try {
      await send(line.events.text({ userId: user, text: "supply chain resilience in logistics" }));
      const got = await conversation(user);
      const pushesTo = () =>
        line.calls.filter((c) => c.endpoint === "push" && (c.body as { to: string }).to === user);
      // The whole draft went in the first push; its retry (same key) comes after the lost answer.
      await until("the push's retry", () => pushesTo().some((p) => p.status === 409));
      const texts = line.messagesTo(user).map((d) => d.message.text ?? d.message.altText);
      expect(new Set(texts).size).toBe(texts.length); // nothing twice
      expect(got.length).toBeGreaterThan(1);
      const pushes = pushesTo();
      expect(pushes.map((p) => p.status)).toContain(409);
      const key = pushes.find((p) => p.status === 500)!.headers["x-line-retry-key"];
      expect(pushes.find((p) => p.status === 409)!.headers["x-line-retry-key"]).toBe(key);
    } finally {
      line.set({ replyTokenTtlMs: 60_000, failure: null });
    }
  });

  it("leads the draft with a note when the length was capped to the plan", async () => {
    const user = lineId();
    await send(
      line.events.text({
        userId: user,
        text: "write an article about cold-chain logistics for executives, 3000 words",
      }),
    );
    const got = await conversation(user);
    expect(got[0]!.message.text).toMatch(/^ℹ️ .*800/);
    expect(got.filter((d) => d.message.text?.startsWith("ℹ️"))).toHaveLength(1);
  });

  it("says when a draft came from the cache", async () => {
    const user = lineId();
    const topic = `smart factories ${Math.random().toString(36).slice(2, 6)} for plant managers`;
    await send(line.events.text({ userId: user, text: topic }));
    await conversation(user);
    // The same request again later, past the chat's 30-minute window (within it, it would be a
    // revision of the first draft): a new article, served from the person's cache.
    await app.db.prisma.draft.updateMany({
      where: { conversationKey: `line:${user}` },
      data: { updatedAt: new Date(Date.now() - 31 * 60_000) },
    });
    const before = line.messagesTo(user).length;
    const again = line.events.text({ userId: user, text: topic });
    await send(again);
    await until("the cached draft's closing message", () =>
      line.messagesTo(user).slice(before).some(isFooter),
    );
    expect((await generationFor(again)).revisesId).toBeNull();
    const footer = line.messagesTo(user).slice(before).find(isFooter)!;
    expect(JSON.stringify(footer.message.contents)).toContain("From the cache");
  });

  it("answers the follow-up buttons: shorter, another angle, new topic", async () => {
    const user = lineId();
    const first = line.events.text({
      userId: user,
      text: "AI in healthcare for hospital directors, 800 words",
    });
    await send(first);
    const footer = (await conversation(user)).at(-1)!;
    const data = (label: RegExp) => buttonData(footer, label);
    const v1 = await generationFor(first);
    const firstRequest = v1.request as { targetWords: number; tone: string };
    /** A button makes one revision of the version it sits under, however often it is tapped. */
    const revision = (action: string) =>
      app.db.prisma.generation.findUnique({ where: { requestKey: `LINE:${action}:${v1.id}` } });

    await send(line.events.postback({ userId: user, data: data(/Shorter/) }));
    await until(
      "the shorter version delivered",
      async () => (await revision("shorter"))?.status === "DELIVERED",
    );
    const shorter = (await revision("shorter"))!;
    expect(shorter.revisesId).toBe(v1.id);
    expect(shorter.draftId).toBe(v1.draftId);
    expect((shorter.request as { targetWords: number }).targetWords).toBe(shorterTarget(v1.words!));

    await send(line.events.postback({ userId: user, data: data(/angle/) }));
    await until(
      "the other angle's version delivered",
      async () => (await revision("another_angle"))?.status === "DELIVERED",
    );
    const angled = (await revision("another_angle"))!;
    expect((angled.request as { tone: string }).tone).toBe(nextTone(firstRequest.tone as Tone));
    expect(angled.revisesId).toBe(v1.id); // the version under whose message the button sat
    expect(angled.cacheHit).toBe(false);

    const before = line.messagesTo(user).length;
    const isGuidance = (d: DeliveredMessage) => /What should the article be about/.test(d.message.text ?? "");
    await send(line.events.postback({ userId: user, data: data(/New topic/) }));
    await until("the new-topic guidance", () => line.messagesTo(user).slice(before).some(isGuidance));
    const guidance = line.messagesTo(user).slice(before).find(isGuidance)!.message;
    expect(guidance.quickReply!.items.length).toBe(8); // 6 industries, and the 2 lengths within Free's 800 words
  });

  it("remembers an industry and a length picked with buttons for the topic that follows", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Pim", language: "en" });
    await send(line.events.sticker({ userId: user }));
    await until("the sticker's answer", () => line.messagesTo(user).length === 1);
    const items = line.messagesTo(user)[0]!.message.quickReply!.items;
    const retail = items.find((i) => /Retail/.test(i.action.label!))!.action.data!;
    const short = items.find((i) => /Short/.test(i.action.label!))!.action.data!;
    await send(line.events.postback({ userId: user, data: retail }));
    await until("the industry pick's answer", () => line.messagesTo(user).length === 2);
    expect(line.messagesTo(user)[1]!.message.text).toMatch(/Got it — industry: 🛒 Retail/);
    await send(line.events.postback({ userId: user, data: short }));
    await until("the length pick's answer", () => line.messagesTo(user).length === 3);

    const ask = line.events.text({ userId: user, text: "personalised offers with AI" });
    await send(ask);
    await conversation(user);
    const g = await generationFor(ask);
    expect(g.industry).toBe("retail");
    expect(g.targetWords).toBe(500);
  });
});

describe("LINE webhook", () => {
  it("never writes a second draft for a redelivered event", async () => {
    const user = lineId();
    const event = line.events.text({ userId: user, text: "energy transition for CFOs" });
    await send(event);
    await send(line.events.redelivery(event));
    await conversation(user);
    await send(line.events.redelivery(event));
    await sleep(500);
    expect(line.messagesTo(user).filter(isFooter)).toHaveLength(1);
    expect(
      await app.db.prisma.generation.count({ where: { requestKey: `LINE:${event.webhookEventId}` } }),
    ).toBe(1);
    // Guidance is answered once too.
    const help = line.events.text({ userId: user, text: "help" });
    await send(help);
    await send(line.events.redelivery(help));
    await until("the help answer", () =>
      line.messagesTo(user).some((d) => /business-article drafts/.test(d.message.text ?? "")),
    );
    await sleep(500);
    expect(
      line.messagesTo(user).filter((d) => /business-article drafts/.test(d.message.text ?? "")),
    ).toHaveLength(1);
  });

  it("rejects a bad or missing signature with 401 and does nothing", async () => {
    const user = lineId();
    const event = line.events.text({ userId: user, text: "write about fintech in Thailand" });
    const calls = line.calls.length;
    expect((await line.deliver(webhookUrl, [event], { signature: line.sign("something else") })).status).toBe(
      401,
    );
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ destination: line.botUserId, events: [event] }),
    });
    expect(res.status).toBe(401);
    await sleep(300);
    expect(line.calls.length).toBe(calls);
    expect(await app.db.prisma.requester.count({ where: { externalId: user } })).toBe(0);
  });

  it("rejects oversized and malformed bodies with a 4xx and keeps serving", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, "a");
    expect(
      (
        await rawPost(webhookUrl, big, {
          "content-length": String(big.length),
          "x-line-signature": line.sign(big),
        })
      ).status,
    ).toBe(413);
    expect(
      (await rawPost(webhookUrl, big, { "transfer-encoding": "chunked", "x-line-signature": line.sign(big) }))
        .status,
    ).toBe(413);

    const notJson = Buffer.from("{ this is not json");
    expect((await rawPost(webhookUrl, notJson, { "x-line-signature": line.sign(notJson) })).status).toBe(400);
    const noEvents = Buffer.from(JSON.stringify({ destination: line.botUserId }));
    expect((await rawPost(webhookUrl, noEvents, { "x-line-signature": line.sign(noEvents) })).status).toBe(
      400,
    );
    const verify = Buffer.from(JSON.stringify({ destination: line.botUserId, events: [] })); // the console's "Verify" button
    expect((await rawPost(webhookUrl, verify, { "x-line-signature": line.sign(verify) })).status).toBe(200);

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const user = lineId();
    await send(line.events.text({ userId: user, text: "help" }));
    await until("the help answer", () => line.messagesTo(user).length === 1);
  });

  it("in groups and rooms, answers only when the bot is mentioned", async () => {
    const group = lineId("C");
    const member = lineId();
    const quiet = line.events.text({ userId: member, groupId: group, text: "write about AI in retail" });
    await send(quiet, line.events.sticker({ userId: member, groupId: group }));
    await sleep(500);
    expect(line.messagesTo(group)).toHaveLength(0);
    expect(
      await app.db.prisma.generation.count({ where: { requestKey: `LINE:${quiet.webhookEventId}` } }),
    ).toBe(0);

    const otherMention = line.events.text({
      userId: member,
      groupId: group,
      text: "@Somsri write about AI in banking",
      mentions: [{ who: lineId(), index: 0, length: 7 }],
    });
    await send(otherMention);
    await sleep(300);
    expect(line.messagesTo(group)).toHaveLength(0);

    const asked = line.events.text({
      userId: member,
      groupId: group,
      text: "@Article Bot write about AI in banking for executives",
      mentions: [{ who: "bot", index: 0, length: 12 }],
    });
    await send(asked);
    const got = await conversation(group);
    expect(isFooter(got.at(-1)!)).toBe(true);
    const g = await generationFor(asked);
    expect(g.topic).not.toMatch(/Article Bot|@/);
    expect(g.requester.externalId).toBe(member);
    expect(
      line.calls.some((c) => c.endpoint === "loading" && (c.body as { chatId: string }).chatId === group),
    ).toBe(false);

    const room = lineId("R");
    const inRoom = line.events.text({
      userId: member,
      roomId: room,
      text: "@Article Bot help",
      mentions: [{ who: "bot", index: 0, length: 12 }],
    });
    await send(inRoom);
    await until("the answer in the room", () => line.messagesTo(room).length === 1);
    expect(line.messagesTo(room)[0]!.message.text).toMatch(/business-article drafts/);
  });

  it("guides people who send stickers or photos, in their language, with choice buttons", async () => {
    const thai = lineId();
    line.setProfile(thai, { displayName: "นภา", language: "th" });
    await send(line.events.sticker({ userId: thai }));
    await until("the Thai sticker's answer", () => line.messagesTo(thai).length === 1);
    const th = line.messagesTo(thai)[0]!.message;
    expect(th.text).toMatch(/บอทอ่านได้เฉพาะข้อความ/);
    expect(th.quickReply!.items.map((i) => i.action.label)).toEqual(
      expect.arrayContaining(["🛒 ค้าปลีก", "สั้น · 500 คำ"]),
    );

    const english = lineId();
    line.setProfile(english, { displayName: "Sam", language: "en" });
    await send(line.events.image({ userId: english }));
    await until("the English photo's answer", () => line.messagesTo(english).length === 1);
    const en = line.messagesTo(english)[0]!.message;
    expect(en.text).toMatch(/I can only read text messages/);
    expect(en.quickReply!.items).toHaveLength(8); // 6 industries, and the 2 lengths within Free's 800 words
    expect(
      await app.db.prisma.generation.count({ where: { requester: { externalId: { in: [thai, english] } } } }),
    ).toBe(0);
  });

  it("refuses over the daily quota in Thai, with usage, limit and reset time", async () => {
    const user = lineId();
    await send(line.events.text({ userId: user, text: "สวัสดี" })); // creates the requester on the channel's Free tier
    await until("the greeting's answer", () => line.messagesTo(user).length === 1);
    const requester = await app.db.prisma.requester.findFirstOrThrow({
      where: { externalId: user },
      include: { tenant: { include: { defaultTier: true } } },
    });
    expect(requester.tenant.defaultTier.name).toBe("Free");
    const limit = requester.tenant.defaultTier.dailyArticleLimit!;
    await app.db.prisma.dailyUsage.create({
      data: {
        day: dayColumn(new Date(), app.config.quotaTimeZone),
        requesterId: requester.id,
        tenantId: requester.tenantId,
        platform: "LINE",
        articles: limit,
      },
    });

    await send(line.events.text({ userId: user, text: "เขียนบทความเรื่องอนาคตของธนาคารดิจิทัล" }));
    await until("the quota refusal", () => line.messagesTo(user).length === 2);
    const refusal = line.messagesTo(user)[1]!.message.text!;
    expect(refusal).toContain(`${limit} จาก ${limit} บทความ`);
    expect(refusal).toContain("Free");
    expect(refusal).toMatch(/รีเซ็ต.*เที่ยงคืน|รีเซ็ต.*00:00/);
  });
});

describe("LINE inbox", () => {
  it("hands a delivery a dead bot process had taken to another process", async () => {
    const name = `ab_line_inbox_${Math.random().toString(36).slice(2, 10)}`;
    const elsewhere: AppContext = {
      ...app,
      config: { ...app.config, database: { kind: "postgres", url: `postgresql://127.0.0.1/${name}` } },
    };
    const follow = line.events.follow({ userId: lineId() });
    // Read as the webhook reads a body, so the test holds exactly what a real delivery holds.
    const delivery = parseWebhookBatch(
      JSON.stringify({ destination: line.botUserId, events: [follow] }),
      Date.now(),
    );
    if (!delivery) throw new Error("the fake's follow event is not a webhook batch");
    let taken = false;
    const dying = createInbox(elsewhere, {
      concurrency: 1,
      busyPerSecond: 100,
      maxWaiting: 10,
      reclaimAfterMs: 300,
    });
    dying.start(() => ((taken = true), new Promise<void>(() => undefined))); // takes it, never finishes
    expect(await dying.put(delivery, JSON.stringify(delivery))).toBe(true);
    await until("the dying inbox to take the delivery", () => taken);
    void dying.close(); // its reader stops; the entry stays unacknowledged, as after a crash

    const seen: string[] = [];
    const survivor = createInbox(elsewhere, {
      concurrency: 2,
      busyPerSecond: 100,
      maxWaiting: 10,
      reclaimAfterMs: 300,
    });
    survivor.start(async (d) => void seen.push(...d.events.map((e) => e.webhookEventId)));
    await until("the surviving inbox to reclaim the delivery", () => seen.length === 1);
    expect(seen).toEqual([follow.webhookEventId]);
    await survivor.close();
    await app.redis!.del(`ab:bull:${name}:line-inbox`);
  });
});

describe("LINE failures", () => {
  it("apologises in the person's language, gives the quota back and shows no internals", async () => {
    openai.set({ failure: { kind: "status", status: 500, only: "chat" } });
    try {
      const user = lineId();
      const event = line.events.text({ userId: user, text: "เขียนบทความเรื่องพลังงานหมุนเวียนสำหรับผู้บริหาร" });
      await send(event);
      const got = await conversation(user, isApology);
      const apology = got.at(-1)!.message.text!;
      expect(apology).toMatch(/คืนโควตาให้แล้ว/);
      expect(apology).not.toMatch(/500|error|Error|stack|status|circuit/i);
      const g = await generationFor(event);
      expect(g.status).toBe("FAILED");
      const tier = await app.db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } });
      expect((await pipeline.quotas.usage(g.requesterId, tier)).today.used).toBe(0);
    } finally {
      openai.set({ failure: null });
    }
  });
});

/** A POST the way a misbehaving sender makes it: whatever headers, whatever size. */
function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: "POST", headers: { "content-type": "application/json", ...headers } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A Thai draft with runs far longer than 5,000 characters and no spaces: cuts must fall between words. */
function longThaiDraft(): string {
  const words = [
    "การ",
    "เปลี่ยนแปลง",
    "ดิจิทัล",
    "ธุรกิจ",
    "ลูกค้า",
    "ข้อมูล",
    "องค์กร",
    "ผู้บริหาร",
    "ตลาด",
    "เทคโนโลยี",
    "นวัตกรรม",
    "ความเสี่ยง",
    "โอกาส",
    "การลงทุน",
    "ประสบการณ์",
    "ความสามารถ",
    "พนักงาน",
    "กลยุทธ์",
    "อนาคต",
    "เศรษฐกิจ",
    "แพลตฟอร์ม",
    "บริการ",
    "คุณภาพ",
    "ต้นทุน",
    "ผลลัพธ์",
  ];
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const run = (chars: number) => {
    let out = "";
    while (out.length < chars) out += words[next() % words.length];
    return out;
  };
  return [
    "# เศรษฐกิจดิจิทัลของไทย: โอกาสที่ผู้บริหารไม่ควรมองข้าม",
    run(300),
    "## ภาพรวมของการเปลี่ยนแปลง",
    run(6_000),
    "## สิ่งที่ผู้นำควรทำ",
    `${run(2_500)} ${run(2_000)}`,
    run(3_000),
    "## ก้าวต่อไป",
    run(6_000),
  ].join("\n\n");
}

describe("LINE delivery", () => {
  it("keeps the account's monthly limit and use on its tenant row for the console", async () => {
    const user = lineId();
    await onTier(user, "Free"); // the channel's tenant exists once someone wrote
    line.set({ monthlyLimit: 5_000 });
    try {
      const api = new LineApi({ accessToken: line.accessToken, baseUrl: line.url });
      const watch = watchMessageQuota(app, api, line.botUserId, app.logger);
      await watch.refresh();
      watch.stop();
      const tenant = await app.db.prisma.tenant.findFirstOrThrow({
        where: { platform: "LINE", externalId: line.botUserId },
      });
      expect(readMessageQuota(tenant.messageQuota)).toMatchObject({ limit: 5_000, used: line.quotaUsed() });
    } finally {
      line.set({ monthlyLimit: null });
    }
  });

  it("drops a signed event older than five minutes, unless LINE says it is redelivering it", async () => {
    const user = lineId();
    const isHelp = (d: DeliveredMessage) => /business-article drafts/.test(d.message.text ?? "");
    const old = { ...line.events.text({ userId: user, text: "help" }), timestamp: Date.now() - 6 * 60_000 };
    expect((await send(old)).status).toBe(200); // acknowledged: LINE must not redeliver a replay
    await sleep(400);
    expect(line.messagesTo(user)).toHaveLength(0);
    await send(line.events.redelivery(old));
    await until("the redelivered event's answer", () => line.messagesTo(user).some(isHelp));
  });

  it("stores 👍 and 👎 from the result card once per person per draft", async () => {
    const user = lineId();
    const ask = line.events.text({ userId: user, text: "AI in insurance for underwriters" });
    await send(ask);
    const card = (await conversation(user)).at(-1)!;
    const g = await generationFor(ask);
    const thanked = () =>
      line.messagesTo(user).filter((d) => /Thanks for the feedback/.test(d.message.text ?? "")).length;
    // One tap after another, as a person taps: each answered before the next.
    for (const [n, button] of [/👍/, /👍/, /👎/].entries()) {
      await send(line.events.postback({ userId: user, data: buttonData(card, button) }));
      await until(`answer ${n + 1} to a vote`, () => thanked() === n + 1);
    }
    const votes = await app.db.prisma.draftFeedback.findMany({ where: { generationId: g.id } });
    expect(votes.map((v) => [v.platform, v.voterId, v.vote])).toEqual([["LINE", user, "DOWN"]]);
    const after = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: g.id } });
    expect([after.votesUp, after.votesDown]).toEqual([0, 1]);
  });

  it("the monthly limit stops pushing: the draft is recorded partly delivered and counted", async () => {
    const user = lineId();
    await onTier(user, "Pro");
    line.set({ replyTokenTtlMs: 0, monthlyLimit: line.quotaUsed() });
    try {
      const ask = line.events.text({ userId: user, text: "green logistics for fleet managers" });
      await send(ask);
      await until(
        "the generation marked",
        async () => (await generationFor(ask)).errorCode === "line_monthly_limit",
      );
      const refused = line.calls.filter(
        (c) => c.endpoint === "push" && (c.body as { to: string }).to === user,
      );
      expect(refused.map((c) => c.status)).toEqual([429]); // not retried as if it were a rate limit
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/chat_push_refused_total\{platform="LINE",reason="monthly_limit"\} [1-9]/);
    } finally {
      line.set({ replyTokenTtlMs: 60_000, monthlyLimit: null });
    }
  });
});
