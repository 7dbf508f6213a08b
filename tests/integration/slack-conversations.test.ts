import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "../../core/records/tiers.ts";
import { shorterTarget } from "../../core/request/rules.ts";
import type { HttpServer } from "../../ops/server.ts";
import { seed } from "../../prisma/seed.ts";
import type { ChatBody, FakeOpenAI } from "../fakes/openai.ts";
import type { FakeMessage, FakeSlack } from "../fakes/slack.ts";
import { type SlackBot, type SlackBotProfile, startSlackBot } from "../helpers/slack-bot.ts";
import { openTestApp } from "../helpers/test-app.ts";
import { until } from "../helpers/wait.ts";

/**
 * Slack conversations end to end: the real bot server and Bolt, the worker and the fakes of
 * Slack and OpenAI. A mention or a DM reply in a draft's thread revises that draft there; thanks
 * and usage questions are answered without the model; Stop stops; a button works once.
 */

type Env = Record<string, string>;

async function postgresAndRedis(env: Env): Promise<SlackBotProfile> {
  const t = await openTestApp("ab_slack_conversations", () => env);
  return { app: t.app, close: t.close };
}

async function embedded(env: Env): Promise<SlackBotProfile> {
  const dir = await mkdtemp(path.join(tmpdir(), "ab-slack-conversations-"));
  const config = loadConfig({ DATA_DIR: dir, PORT: "0", ADMIN_PORT: "0", ...env });
  expect(config.redis).toBeNull();
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  return {
    app: { config, logger: createLogger("silent"), db, redis: null },
    close: async () => (await db.close(), await rm(dir, { recursive: true, force: true })),
  };
}

const id = (prefix: string) => `${prefix}${randomBytes(4).toString("hex").toUpperCase()}`;
const stateOf = (g: { deliveryState: unknown }) => readSlackDeliveryState(g.deliveryState ?? {});
const buttonsOf = (m: FakeMessage) =>
  (m.blocks ?? []).flatMap((b: any) => (b.type === "actions" ? b.elements.map((e: any) => e.action_id) : []));

describe.each([
  ["PostgreSQL + Redis + BullMQ", postgresAndRedis],
  ["the embedded profile (PGlite, memory, in-process queue)", embedded],
] as const)("Slack conversations on %s", (_name, open) => {
  let openai: FakeOpenAI;
  let slack: FakeSlack;
  let bot: SlackBot;
  let app: AppContext;
  let pipeline: Pipeline;
  let server: HttpServer;

  beforeAll(async () => {
    bot = await startSlackBot("ab_slack_conversations", {
      open,
      generator: { maxAttempts: 1 },
      platform: { pacingMs: 20, statusIntervalMs: 0, streamingRetryMs: 0 },
    });
    ({ openai, slack, app, pipeline, server } = bot);
  });

  afterAll(async () => {
    await bot?.close();
  });

  const chatCalls = () => openai.requests.filter((r) => r.path.endsWith("/chat/completions"));
  const at = (text: string) => `<@${slack.botUserId}> ${text}`;
  const byKey = (eventId: string) =>
    app.db.prisma.generation.findUnique({ where: { requestKey: `SLACK:${eventId}` } });
  /** A generation once its closing message is in Slack. */
  /** Its closing message is in the thread and the core recorded it (DELIVERED comes just after). */
  const closed = <T extends { deliveryState: unknown; status: string }>(
    what: string,
    find: () => Promise<T | null>,
  ) =>
    until(what, async () => {
      const g = await find();
      return g && stateOf(g).closedTs && g.status !== "RUNNING" ? g : null;
    });
  const revisionOf = (generationId: string) =>
    closed(`a revision of ${generationId}`, () =>
      app.db.prisma.generation.findFirst({ where: { revisesId: generationId } }),
    );
  const usedToday = async (externalId: string) => {
    const r = await app.db.prisma.requester.findFirstOrThrow({
      where: { externalId },
      include: WITH_EFFECTIVE_TIER,
    });
    return (await pipeline.quotas.usage(r.id, effectiveTier(r))).today.used;
  };
  const tierOf = async (externalId: string) =>
    effectiveTier(
      await app.db.prisma.requester.findFirstOrThrow({ where: { externalId }, include: WITH_EFFECTIVE_TIER }),
    );
  const topLevelBotMessages = (channel: string) =>
    slack.messages(channel).filter((m) => m.bot && !m.threadTs);

  /** A first draft by a mention in a fresh channel. */
  async function firstDraft(topic: string) {
    const channel = id("C");
    const user = id("U");
    const sent = await slack.mention(server.url, { channel, user, text: at(topic) });
    const v1 = await closed("the first draft", () => byKey(sent.eventId));
    const full = await app.db.prisma.generation.findUniqueOrThrow({
      where: { id: v1.id },
    });
    expect(stateOf(full).rootTs).toBe(sent.ts); // the draft is under the person's own message
    return { channel, user, v1: full, thread: sent.ts };
  }

  it("revises the draft from a mention in its thread: the previous version in the prompt, the new one in the same thread, no article slot", async () => {
    const { channel, user, v1, thread } = await firstDraft(
      "write about AI in retail for executives, 600 words",
    );
    expect(await usedToday(user)).toBe(1);
    const topLevel = topLevelBotMessages(channel).length;

    await slack.mention(server.url, { channel, user, text: at("make it shorter"), threadTs: thread });
    const v2 = await revisionOf(v1.id);
    expect(v2).toMatchObject({
      status: "DELIVERED",
      draftId: v1.draftId,
      instruction: "make it shorter",
      targetWords: shorterTarget(v1.words!),
      cacheHit: false,
    });
    const prompt = chatCalls().at(-1)!.body as ChatBody;
    expect(prompt.messages[1]!.content).toContain(`<draft>\n${v1.draft}\n</draft>`);
    expect(prompt.messages[1]!.content).toContain("make it shorter");
    expect(stateOf(v2).rootTs).toBe(thread);
    expect(slack.messages(channel).find((m) => m.ts === stateOf(v2).closedTs)!.threadTs).toBe(thread);
    // While it was written, its Stop card said what the new version changes.
    const card = slack
      .callsTo("chat.postMessage")
      .find(
        (c) => c.args.thread_ts === thread && JSON.stringify(c.args.blocks ?? "").includes("shorter version"),
      );
    expect(card).toBeDefined();
    expect(topLevelBotMessages(channel)).toHaveLength(topLevel);
    expect(await usedToday(user)).toBe(1);
  });

  it("revises a DM draft from a reply in its thread", async () => {
    const user = id("U");
    const sent = await slack.directMessage(server.url, {
      user,
      text: "the future of digital banking in Thailand for CIOs, 400 words",
    });
    const v1 = await closed("the DM draft", () => byKey(sent.eventId));
    const thread = stateOf(v1).rootTs!;
    expect(thread).toBe(sent.ts);
    const topLevel = topLevelBotMessages(sent.channel).length;
    await slack.directMessage(server.url, { user, text: "translate to Thai", threadTs: thread });
    const v2 = await revisionOf(v1.id);
    expect(v2.language).toBe("th");
    expect(v2.instruction).toBe("translate to Thai");
    const prompt = chatCalls().at(-1)!.body as ChatBody;
    expect(prompt.messages[1]!.content).toContain("<draft>");
    expect(stateOf(v2).rootTs).toBe(thread);
    expect(topLevelBotMessages(sent.channel)).toHaveLength(topLevel);
    expect(await usedToday(user)).toBe(1);
  });

  it("answers thanks and usage questions in the thread with the person's numbers and no LLM call", async () => {
    const { channel, user, v1, thread } = await firstDraft("write about smart factories, 400 words");
    const before = chatCalls().length;
    const generations = await app.db.prisma.generation.count();
    const said = slack.ephemerals.filter((e) => e.user === user && e.threadTs === thread);
    const ask = async (text: string) => {
      await slack.mention(server.url, { channel, user, text: at(text), threadTs: thread });
      const n = said.length + 1;
      return until(`an answer to ${text}`, () => {
        const mine = slack.ephemerals.filter((e) => e.user === user && e.threadTs === thread);
        if (mine.length < n) return null;
        said.push(mine[n - 1]!);
        return mine[n - 1]!;
      });
    };
    const answers = [await ask("thanks!"), await ask("how many do I have left?"), await ask("ขอบคุณครับ")];
    expect(answers[0]!.text).toContain("You're welcome");
    const tier = await tierOf(user);
    expect(tier.dailyArticleLimit).toBeGreaterThan(0);
    expect(answers[1]!.text).toContain(`Today: 1 of ${tier.dailyArticleLimit} articles`);
    expect(answers[1]!.text).toContain(`This draft: 0 of ${tier.revisionsPerDraft} revisions`);
    expect(answers[1]!.text).toContain(`of $${Number(tier.monthlyBudgetUsd).toFixed(2)} budget`);
    expect(answers[2]!.text).toContain("ยินดีเลย");
    expect(chatCalls().length).toBe(before);
    expect(await app.db.prisma.generation.count()).toBe(generations);
    expect(
      slack
        .thread(channel, thread)
        .filter((m) => m.ts !== thread && m.bot)
        .at(-1)!.ts,
    ).toBe(stateOf(v1).closedTs);
  });

  it("refuses a revision past the tier's allowance, naming the limit", async () => {
    const { channel, user, v1, thread } = await firstDraft("write about cold-chain logistics, 400 words");
    const tier = await tierOf(user);
    await app.db.prisma.draft.update({
      where: { id: v1.draftId! },
      data: { revisions: tier.revisionsPerDraft },
    });
    const before = chatCalls().length;
    await slack.mention(server.url, { channel, user, text: at("more formal"), threadTs: thread });
    const refusal = await until(
      "the refusal",
      () => slack.ephemerals.find((e) => e.user === user && e.threadTs === thread),
      {
        context: () =>
          JSON.stringify({ e: slack.ephemerals.slice(-3), m: slack.messages(channel).slice(-2) }),
      },
    );
    const n = tier.revisionsPerDraft;
    expect(refusal.text).toContain(`${n} of the ${n} revisions your ${tier.name} plan allows`);
    expect(await app.db.prisma.generation.count({ where: { revisesId: v1.id } })).toBe(0);
    expect(chatCalls().length).toBe(before);
  });

  it("stops a draft from its Stop button: the stream aborted, the slot given back, the tokens recorded", async () => {
    openai.set({ tokensPerSecond: 80 });
    try {
      const channel = id("C");
      const user = id("U");
      const sent = await slack.mention(server.url, {
        channel,
        user,
        text: at("write about energy storage for CFOs, 800 words"),
      });
      const g = await until("the draft being written", async () => {
        const row = await byKey(sent.eventId);
        return row && row.chunksDelivered >= 1 && stateOf(row).cardTs ? row : null;
      });
      // No parent of the bot's: the Stop button is on a small card in the person's thread.
      expect(stateOf(g).parentTs).toBeUndefined();
      const card = slack.messages(channel).find((m) => m.ts === stateOf(g).cardTs)!;
      expect(card.threadTs).toBe(sent.ts);
      expect(buttonsOf(card)).toEqual(["stop"]);
      const request = chatCalls().at(-1)!;
      await slack.clickButton(server.url, card, "stop", user);
      const stopped = await until("the draft stopped", async () => {
        const row = await app.db.prisma.generation.findUniqueOrThrow({
          where: { id: g.id },
          include: { tokenUsage: true },
        });
        return row.status === "CANCELLED" ? row : null;
      });
      // A final state: the streamed text ends with the stopped note, and the card is gone.
      const streamed = await until("the stream marked stopped", () =>
        slack
          .thread(channel, sent.ts)
          .find(
            (m) =>
              m.via === "chat.startStream" &&
              JSON.stringify(m.blocks ?? "").includes("Stopped at your request"),
          ),
      );
      expect(streamed.streaming).toBe(false);
      await until("the card removed", () => !slack.messages(channel).some((m) => m.ts === card.ts));
      expect(request.aborted).toBe(true);
      expect(stopped.outputTokens).toBeGreaterThan(0);
      expect(stopped.tokenUsage.some((u) => u.operation === "CHAT" && u.outputTokens > 0)).toBe(true);
      expect(await usedToday(user)).toBe(0);
      expect(stateOf(stopped).closedTs).toBeUndefined();
    } finally {
      openai.set({ tokensPerSecond: 0 });
    }
  });

  it("makes one revision from a double click, and replaces the clicked buttons", async () => {
    const { channel, user, v1 } = await firstDraft("write about open banking APIs for CIOs, 600 words");
    const closing = slack.messages(channel).find((m) => m.ts === stateOf(v1).closedTs)!;
    const before = chatCalls().length;
    await Promise.all([
      slack.clickButton(server.url, closing, "shorten", user),
      slack.clickButton(server.url, closing, "shorten", user),
    ]);
    const v2 = await revisionOf(v1.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await app.db.prisma.generation.count({ where: { revisesId: v1.id } })).toBe(1);
    expect(v2.instruction).toBe("shorter");
    expect(chatCalls().length).toBe(before + 1);
    const clicked = slack.messages(channel).find((m) => m.ts === closing.ts)!;
    expect(buttonsOf(clicked)).toEqual([]);
    expect(JSON.stringify(clicked.blocks)).toContain("Revising");
    expect(await usedToday(user)).toBe(1);
  });

  it("makes a revision sent while the draft is being written wait its turn, with one notice", async () => {
    openai.set({ tokensPerSecond: 400 });
    try {
      const channel = id("C");
      const user = id("U");
      const sent = await slack.mention(server.url, {
        channel,
        user,
        text: at("write about hydrogen trucks for fleet managers, 600 words"),
      });
      const v1 = await until("the draft being written", async () => {
        const row = await byKey(sent.eventId);
        return row && row.chunksDelivered >= 1 && row.status === "RUNNING" ? row : null;
      });
      const thread = sent.ts;
      await slack.mention(server.url, { channel, user, text: at("more formal"), threadTs: thread });
      const v2 = await revisionOf(v1.id);
      const notices = [
        ...slack.ephemerals.filter((e) => e.threadTs === thread),
        ...slack.thread(channel, thread).filter((m) => m.bot),
      ].filter((m) => m.text.includes("Queued"));
      expect(notices).toHaveLength(1);
      const done = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: v1.id } });
      // The revision's stream starts after the first draft's stream was closed: nothing interleaved.
      const closedV1 = slack.callsTo("chat.stopStream").find((c) => c.args.ts === stateOf(done).closedTs)!;
      const startedV2 = slack
        .callsTo("chat.startStream")
        .find((c) => c.response.ts === stateOf(v2).closedTs)!;
      expect(startedV2.seq).toBeGreaterThan(closedV1.seq);
      expect(v2.instruction).toBe("more formal");
      expect((v2.request as { tone?: string }).tone).toBe("executive");
    } finally {
      openai.set({ tokensPerSecond: 0 });
    }
  });
});
