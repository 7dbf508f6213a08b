import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { shorterTarget } from "../../core/request/rules.ts";
import {
  type DeliveredMessage,
  type FakeLine,
  flexButtons,
  isContinueCard,
  isResultCard,
  type LineEvent,
  lineId,
} from "../fakes/line.ts";
import type { ChatBody, FakeOpenAI } from "../fakes/openai.ts";
import { finalGeneration } from "../helpers/generations.ts";
import { type LineBot, startLineBot } from "../helpers/line-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * Conversations on LINE end to end: signed webhooks into the real bot server, the core on
 * PostgreSQL, Redis and BullMQ, the fake OpenAI writing, and everything the person sees coming
 * back through @line/bot-sdk to the fake Messaging API. A chat is one conversation: follow-ups
 * and quoted bubbles revise its draft, thanks and usage questions are answered without writing.
 */

let openai: FakeOpenAI;
let line: FakeLine;
let app: AppContext;
let pipeline: Pipeline;
let bot: LineBot;
let webhookUrl: string;

const isFooter = isResultCard;
const footers = (chatId: string) => line.messagesTo(chatId).filter(isFooter);
const chatCalls = () => openai.requests.filter((r) => r.path.endsWith("/chat/completions"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function send(...events: LineEvent[]) {
  return line.deliver(webhookUrl, events);
}

/** Sends one text and returns what the chat received in answer, once `done` says it is all there. */
async function say(
  user: string,
  text: string,
  done: (got: DeliveredMessage[]) => boolean = (got) => got.length >= 1,
  extra: { quotedMessageId?: string } = {},
): Promise<{ event: LineEvent; got: DeliveredMessage[] }> {
  const before = line.messagesTo(user).length;
  const event = line.events.text({ userId: user, text, ...extra });
  expect((await send(event)).status).toBe(200);
  await until(`the answer to "${text}"`, () => done(line.messagesTo(user).slice(before)));
  return { event, got: line.messagesTo(user).slice(before) };
}
const draftDone = (got: DeliveredMessage[]) => got.some(isFooter);

async function generationFor(event: LineEvent) {
  return finalGeneration(app.db, `LINE:${event.webhookEventId}`);
}

async function usedToday(user: string): Promise<number> {
  const r = await app.db.prisma.requester.findFirstOrThrow({
    where: { externalId: user },
    include: { tier: true, tenant: { include: { defaultTier: true } } },
  });
  return (await pipeline.quotas.usage(r.id, r.tier ?? r.tenant.defaultTier)).today.used;
}

beforeAll(async () => {
  bot = await startLineBot("ab_line_conv");
  ({ openai, line, app, pipeline, webhookUrl } = bot);
});

afterAll(async () => {
  await bot?.close();
});

describe("LINE conversations", () => {
  it("revises the chat's draft from a follow-up, with the previous version in the prompt and no article slot", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Dana", language: "en" });
    const { event: first } = await say(
      user,
      "write an article about AI in retail for executives, 600 words",
      draftDone,
    );
    const v1 = await generationFor(first);
    expect(await usedToday(user)).toBe(1);

    const { event: follow, got } = await say(user, "make it shorter", draftDone);
    const v2 = await generationFor(follow);
    expect(v2).toMatchObject({
      status: "DELIVERED",
      draftId: v1.draftId,
      revisesId: v1.id,
      instruction: "make it shorter",
      targetWords: shorterTarget(v1.words!),
      cacheHit: false,
    });
    const prompt = chatCalls().at(-1)!.body as ChatBody;
    expect(prompt.messages[1]!.content).toContain(`<draft>\n${v1.draft}\n</draft>`);
    expect(prompt.messages[1]!.content).toContain("make it shorter");
    expect(await usedToday(user)).toBe(1); // a revision uses no article slot
    // The new version lands in the same chat, its first bubbles by the follow-up's free reply.
    expect(got[0]!.via).toBe("reply");
    expect(got.filter(isFooter)).toHaveLength(1);
  });

  it("revises the draft whose bubble is quoted, even after the chat's window", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Ploy", language: "en" });
    const { event: first, got: draft } = await say(
      user,
      "write about cold-chain logistics for COOs",
      draftDone,
    );
    const v1 = await generationFor(first);
    // Every bubble LINE accepted is known by its id, so any of them can be quoted.
    const recorded = await until("the bubbles recorded", async () => {
      const rows = await app.db.prisma.draftMessage.findMany({ where: { generationId: v1.id } });
      return rows.length === draft.length && rows;
    });
    expect(recorded.map((m) => m.messageId).sort()).toEqual(draft.map((d) => d.id).sort());
    await app.db.prisma.draft.update({
      where: { id: v1.draftId! },
      data: { updatedAt: new Date(Date.now() - 60 * 60_000) },
    });

    const before = chatCalls().length;
    const { got: nothing } = await say(user, "translate to Thai");
    expect(nothing).toHaveLength(1);
    expect(nothing[0]!.message.text).toMatch(/^There's no recent draft in this chat to change\./);
    expect(chatCalls().length).toBe(before);

    const { event: quoting } = await say(user, "translate to Thai", draftDone, {
      quotedMessageId: draft[2]!.id,
    });
    const v2 = await generationFor(quoting);
    expect(v2).toMatchObject({ draftId: v1.draftId, revisesId: v1.id, language: "th" });
    expect((chatCalls().at(-1)!.body as ChatBody).messages[1]!.content).toContain(
      `<draft>\n${v1.draft}\n</draft>`,
    );
    expect(await usedToday(user)).toBe(1);
  });

  it("answers thanks and usage questions at once by reply, in the person's language, with their numbers and no LLM call", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "ฟ้า", language: "th" });
    await say(user, "เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก สำหรับผู้บริหาร", draftDone);
    const before = chatCalls().length;
    const answers: string[] = [];
    for (const text of ["ขอบคุณครับ", "ok", "thanks!", "ได้เลย"]) {
      const { got } = await say(user, text);
      expect(got.map((d) => d.via)).toEqual(["reply"]);
      answers.push(got[0]!.message.text!);
    }
    expect(answers).toEqual([
      "👍 ยินดีครับ ส่งหัวข้อใหม่มาได้ทุกเมื่อ หรือบอกได้เลยว่าอยากให้ปรับบทความตรงไหน",
      "👍 Glad to help! Send a new topic any time, or tell me what to change in the draft.",
      "👍 Glad to help! Send a new topic any time, or tell me what to change in the draft.",
      "👍 ยินดีครับ ส่งหัวข้อใหม่มาได้ทุกเมื่อ หรือบอกได้เลยว่าอยากให้ปรับบทความตรงไหน",
    ]);

    const r = await app.db.prisma.requester.findFirstOrThrow({
      where: { externalId: user },
      include: { tier: true, tenant: { include: { defaultTier: true } } },
    });
    const usage = await pipeline.quotas.usage(r.id, r.tier ?? r.tenant.defaultTier);
    const share = Math.round((usage.month.spentUsd / usage.month.budgetUsd!) * 100);
    const { got: th } = await say(user, "โควตาเหลือเท่าไหร่");
    expect(th.map((d) => d.via)).toEqual(["reply"]);
    const thLines = th[0]!.message.text!.split("\n");
    expect(thLines[0]).toBe("📊 การใช้งานของคุณ");
    expect(thLines[1]).toMatch(/^วันนี้: ใช้ไป 1 จาก 10 บทความ · รีเซ็ต /);
    expect(thLines[2]).toMatch(new RegExp(`^เดือนนี้: ใช้งบไปแล้ว ${share}% · รีเซ็ต `));
    expect(thLines[3]).toBe("บทความล่าสุด: แก้ไขไปแล้ว 0 จาก 3 ครั้ง");
    const { got: en } = await say(user, "quota");
    const enLines = en[0]!.message.text!.split("\n");
    expect(enLines[1]).toMatch(/^Today: 1 of 10 articles · resets on /);
    expect(enLines[2]).toMatch(new RegExp(`^This month: ${share}% of your plan's budget used · resets on `));
    expect(en[0]!.message.text).not.toMatch(/\$/); // the person's numbers, not the provider's dollars
    expect(chatCalls().length).toBe(before);
    expect(await app.db.prisma.generation.count({ where: { requester: { externalId: user } } })).toBe(1);
    expect(await usedToday(user)).toBe(1);
  });

  it("stops the draft being written on ยกเลิก: nothing more of it arrives and the slot is given back", async () => {
    openai.set({ tokensPerSecond: 60 });
    try {
      const user = lineId();
      line.setProfile(user, { displayName: "ฟ้า", language: "th" });
      const ask = line.events.text({ userId: user, text: "เขียนบทความเรื่องการกักเก็บพลังงาน สำหรับ CFO 800 คำ" });
      await send(ask);
      await until("the draft to be under way", async () => {
        const g = await app.db.prisma.generation.findUnique({
          where: { requestKey: `LINE:${ask.webhookEventId}` },
        });
        return g?.status === "RUNNING" && g.chunksDelivered >= 1;
      });
      const { got } = await say(user, "ยกเลิก");
      expect(got.map((d) => [d.via, d.message.text])).toEqual([
        ["reply", "⏹ หยุดเขียนแล้วครับ บทความนี้จะไม่ส่งต่อ และไม่นับในโควตาของคุณ"],
      ]);
      const g = await until("the draft stopped", async () => {
        const row = await generationFor(ask);
        return row.status === "CANCELLED" && row;
      });
      expect(g.outputTokens).toBeGreaterThan(0);
      expect(await usedToday(user)).toBe(0);
      const seen = line.messagesTo(user).length;
      await sleep(800);
      expect(line.messagesTo(user)).toHaveLength(seen);
      expect(footers(user)).toHaveLength(0);
    } finally {
      openai.set({ tokensPerSecond: 0 });
    }
  });

  it("delivers two quick requests in one chat one after the other, never interleaved", async () => {
    openai.set({ tokensPerSecond: 150 });
    try {
      const user = lineId();
      line.setProfile(user, { displayName: "Kai", language: "en" });
      const a = line.events.text({
        userId: user,
        text: "write an article about smart ports for executives, 400 words",
      });
      const b = line.events.text({
        userId: user,
        text: "write a new article about digital twins in factories, 400 words",
      });
      await send(a);
      await send(b);
      // The one that waits answered at once with "Continue reading": its draft comes on the tap.
      await until("the waiting notice", () => line.messagesTo(user).some(isContinueCard));
      await until("the first draft", () => footers(user).length === 1, { timeoutMs: 60_000 });
      const more = flexButtons(line.messagesTo(user).find(isContinueCard)!.message)[0]!;
      await send(line.events.postback({ userId: user, data: more.data }));
      await until("both drafts delivered", () => footers(user).length === 2, { timeoutMs: 60_000 });
      const [ga, gb] = [await generationFor(a), await generationFor(b)];
      expect(gb.revisesId).toBeNull();
      expect(gb.draftId).not.toBe(ga.draftId);
      const got = line.messagesTo(user);
      // The sink records bubble ids just after LINE answers: wait for the last of them.
      await until("every bubble recorded", async () => {
        const n = await app.db.prisma.draftMessage.count({ where: { generationId: { in: [ga.id, gb.id] } } });
        return n === got.length - 2; // all but B's waiting notice and its Continue card
      });
      const at = (generationId: string) =>
        app.db.prisma.draftMessage
          .findMany({ where: { generationId } })
          .then((rows) => rows.map((m) => got.findIndex((d) => d.id === m.messageId)));
      // Two webhooks may be handled side by side, so either can be first; the later one waits.
      const [first, second] = [ga, gb].sort(
        (x, y) => x.createdAt.getTime() - y.createdAt.getTime() || x.id.localeCompare(y.id),
      ) as [typeof ga, typeof gb];
      const [ofFirst, ofSecond] = [await at(first.id), await at(second.id)];
      expect(ofFirst.length).toBeGreaterThan(1);
      expect(ofSecond.length).toBeGreaterThan(1);
      expect(Math.max(...ofFirst)).toBeLessThan(Math.min(...ofSecond)); // all of one, then all of the other
      expect(isFooter(got[Math.max(...ofFirst)]!)).toBe(true);
      // The one that waits said so at once, by its own free reply.
      const notices = got.filter((d) => /^⏳/.test(d.message.text ?? ""));
      expect(notices.map((d) => [d.via, d.message.text])).toEqual([
        [
          "reply",
          `⏳ Got it — I'll start on "${(second.request as { topic: string }).topic}" as soon as the draft before it is done.`,
        ],
      ]);
    } finally {
      openai.set({ tokensPerSecond: 0 });
    }
  });

  it("makes one revision from a double tap on Shorter", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Pim", language: "en" });
    const { event: first, got } = await say(
      user,
      "AI in healthcare for hospital directors, 800 words",
      draftDone,
    );
    const v1 = await generationFor(first);
    const shorter = flexButtons(got.find(isFooter)!.message).find((b) => /Shorter/.test(b.label))!;
    const before = chatCalls().length;
    await send(
      line.events.postback({ userId: user, data: shorter.data }),
      line.events.postback({ userId: user, data: shorter.data }),
    );
    await until("the shorter version", () => footers(user).length === 2);
    await sleep(800);
    expect(footers(user)).toHaveLength(2);
    const revisions = await app.db.prisma.generation.findMany({ where: { revisesId: v1.id } });
    expect(revisions.map((r) => [r.status, r.targetWords])).toEqual([
      ["DELIVERED", shorterTarget(v1.words!)],
    ]);
    expect(chatCalls().length).toBe(before + 1);
    expect(await usedToday(user)).toBe(1);
  });
});
