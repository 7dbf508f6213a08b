import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { articleRequests } from "../../core/metrics.ts";
import { type ConversationMessage, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { shorterTarget } from "../../core/request/rules.ts";
import { seed } from "../../prisma/seed.ts";
import { type ChatBody, type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { allRecorded } from "../helpers/generations.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { openTestApp } from "../helpers/test-app.ts";

const outcomes = async (outcome: string) =>
  (await articleRequests.get()).values.find(
    (v) => v.labels.platform === "LINE" && v.labels.outcome === outcome,
  )?.value ?? 0;

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
};

interface Profile {
  app: AppContext;
  close(): Promise<void>;
}

async function postgresAndRedis(fake: FakeOpenAI): Promise<Profile> {
  const t = await openTestApp("ab_conversations", () => ({
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
  }));
  return { app: t.app, close: t.close };
}

async function embedded(fake: FakeOpenAI): Promise<Profile> {
  const dir = await mkdtemp(path.join(tmpdir(), "ab-conversations-"));
  const config = loadConfig({
    DATA_DIR: dir,
    PORT: "0",
    ADMIN_PORT: "0",
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
  });
  expect(config.redis).toBeNull();
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  return {
    app: { config, logger: createLogger("silent"), db, redis: null },
    close: async () => (await db.close(), await rm(dir, { recursive: true, force: true })),
  };
}

describe.each([
  ["PostgreSQL + Redis + BullMQ", postgresAndRedis],
  ["the embedded profile (PGlite, memory, in-process queue)", embedded],
] as const)("conversations on %s", (_name, open) => {
  let fake: FakeOpenAI;
  let profile: Profile;
  let app: AppContext;
  let pipeline: Pipeline;
  const sinks = new RecordingSinks(400);

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    profile = await open(fake);
    app = profile.app;
    pipeline = createPipeline(app, { workerConcurrency: 8, sinks: { LINE: sinks.factory } });
    pipeline.startWorker();
  });
  afterAll(async () => {
    await pipeline?.close();
    await profile?.close();
    await fake?.close();
  });

  const chatCalls = () => fake.requests.filter((r) => r.path.endsWith("/chat/completions"));
  /** A LINE chat with one Free-tier client: each test its own chat and person. */
  function chat() {
    const chatId = `U${randomBytes(6).toString("hex")}`;
    let n = 0;
    const say = (input: ConversationMessage["input"], quotedMessageId?: string): ConversationMessage => ({
      platform: "LINE",
      eventId: `${chatId}-${++n}`,
      tenant: { externalId: "line-channel" },
      requester: { externalId: chatId },
      input,
      destination: { platform: "LINE", conversation: chatId },
      conversation: { platform: "LINE", chatId, quotedMessageId },
    });
    return {
      chatId,
      send: (text: string, quoted?: string) => pipeline.converse(say({ kind: "text", text }, quoted)),
      click: (action: "shorter" | "another_angle" | "stop", generationId?: string) =>
        pipeline.converse(say({ kind: "action", action, generationId })),
    };
  }
  const requesterOf = async (chatId: string) =>
    app.db.prisma.requester.findFirstOrThrow({
      where: { externalId: chatId },
      include: { tier: true, tenant: { include: { defaultTier: true } } },
    });
  const usedToday = async (chatId: string) => {
    const r = await requesterOf(chatId);
    return (await pipeline.quotas.usage(r.id, r.tier ?? r.tenant.defaultTier)).today.used;
  };

  it("revises the draft with the previous version in the prompt, in the same conversation, using no article slot", async () => {
    const c = chat();
    const first = await c.send("write an article about AI in retail for executives, 600 words");
    expect(first.kind).toBe("queued");
    await until(() => sinks.endings(c.chatId) === 1);
    await allRecorded(app.db);
    const v1 = await app.db.prisma.generation.findFirstOrThrow({
      where: { requestKey: `LINE:${c.chatId}-1` },
    });
    expect(v1.status).toBe("DELIVERED");
    expect(v1.draftId).not.toBeNull();
    expect(await usedToday(c.chatId)).toBe(1);
    const cacheEntries = await app.db.prisma.topicCacheEntry.count();

    const revised = await c.send("make it shorter");
    expect(revised.kind).toBe("queued_revision");
    await until(() => sinks.endings(c.chatId) === 2);
    await allRecorded(app.db);
    const v2 = await app.db.prisma.generation.findFirstOrThrow({
      where: { requestKey: `LINE:${c.chatId}-2` },
      include: { tokenUsage: true },
    });
    expect(v2).toMatchObject({
      status: "DELIVERED",
      draftId: v1.draftId,
      revisesId: v1.id,
      instruction: "make it shorter",
      targetWords: shorterTarget(v1.words!),
      cacheHit: false,
      cacheEntryId: null,
    });
    expect(v2.tokenUsage.map((u) => u.operation)).toEqual(["REVISION"]);
    expect(v2.outputTokens).toBeGreaterThan(0);
    const prompt = chatCalls().at(-1)!.body as ChatBody;
    expect(prompt.messages[1]!.content).toContain(`<draft>\n${v1.draft}\n</draft>`);
    expect(prompt.messages[1]!.content).toContain("make it shorter");
    expect(await usedToday(c.chatId)).toBe(1); // no article slot
    expect(await app.db.prisma.topicCacheEntry.count()).toBe(cacheEntries); // never cached
    const start = sinks.of(c.chatId).filter((e) => e.type === "start")[1];
    expect(start?.type === "start" && start.header.revision).toEqual({
      kind: "shorter",
      instruction: "make it shorter",
      revisesId: v1.id,
    });
    const draft = await app.db.prisma.draft.findUniqueOrThrow({ where: { id: v1.draftId! } });
    expect(draft.revisions).toBe(1);
    const day = await app.db.prisma.dailyModelUsage.findMany({ where: { operation: "REVISION" } });
    expect(day.reduce((n, d) => n + d.calls, 0)).toBeGreaterThanOrEqual(1);

    // The Shorter button clicked twice makes one revision.
    const clicks = [await c.click("shorter", v2.id), await c.click("shorter", v2.id)];
    expect(clicks.map((r) => r.kind)).toEqual(["queued_revision", "duplicate"]);
    await until(() => sinks.endings(c.chatId) === 3);
    // The same version id pressed in another chat (a forged postback) revises nothing.
    const stranger = chat();
    expect((await stranger.click("another_angle", v2.id)).kind).toBe("no_draft");

    // A quoted bubble of the first version finds the draft even outside the window.
    await app.db.prisma.draftMessage.create({
      data: { platform: "LINE", messageId: `bubble-${c.chatId}`, draftId: v1.draftId!, generationId: v1.id },
    });
    await app.db.prisma.draft.update({
      where: { id: v1.draftId! },
      data: { updatedAt: new Date(Date.now() - 3_600_000) },
    });
    expect((await c.send("translate to Thai")).kind).toBe("no_draft");
    const quoted = await c.send("translate to Thai", `bubble-${c.chatId}`);
    expect(quoted.kind === "queued_revision" && quoted.request.language).toBe("th");
    await until(() => sinks.endings(c.chatId) === 4);
  });

  it("revises the version whose button was clicked, not the newest one", async () => {
    const c = chat();
    await c.send("write an article about supply-chain finance for executives, 600 words");
    await until(() => sinks.endings(c.chatId) === 1);
    const v1 = await app.db.prisma.generation.findFirstOrThrow({
      where: { requestKey: `LINE:${c.chatId}-1` },
    });
    await c.send("translate to Thai");
    await until(() => sinks.endings(c.chatId) === 2, 60_000);
    const v2 = await app.db.prisma.generation.findFirstOrThrow({ where: { revisesId: v1.id } });
    expect(v2.language).toBe("th");
    const shorter = await c.click("shorter", v1.id);
    expect(shorter.kind).toBe("queued_revision");
    await until(() => sinks.endings(c.chatId) === 3, 60_000);
    const v3 = await app.db.prisma.generation.findFirstOrThrow({
      where: { draftId: v1.draftId, id: { notIn: [v1.id, v2.id] } },
    });
    expect(v3.revisesId).toBe(v1.id); // the clicked version, not v2
    expect(v3.language).toBe("en");
    expect(v3.targetWords).toBe(shorterTarget(v1.words!));
  });

  it("refuses a revision past the tier's revisions per draft, naming the limit", async () => {
    const c = chat();
    await c.send("write an article about cold-chain logistics, 400 words");
    await until(() => sinks.endings(c.chatId) === 1);
    const v1 = await app.db.prisma.generation.findFirstOrThrow({
      where: { requestKey: `LINE:${c.chatId}-1` },
    });
    await app.db.prisma.draft.update({ where: { id: v1.draftId! }, data: { revisions: 3 } });
    const before = chatCalls().length;
    expect(await c.send("more formal")).toEqual({
      kind: "refused",
      refusal: { limit: "revisions", tier: "Free", used: 3, max: 3 },
      language: "en",
    });
    expect(chatCalls().length).toBe(before);
    const usage = await c.send("how many left?");
    expect(usage.kind === "usage" && usage.revisions).toEqual({ used: 3, max: 3 });
  });

  it("answers small talk and usage questions with zero LLM calls and the person's numbers", async () => {
    const c = chat();
    const before = chatCalls().length;
    const [smallTalk, usageAsked] = [await outcomes("small_talk"), await outcomes("usage")];
    expect(await c.send("ขอบคุณครับ")).toEqual({ kind: "small_talk", language: "th" });
    expect(await c.send("thanks!")).toEqual({ kind: "small_talk", language: "en" });
    expect((await c.send("make it shorter")).kind).toBe("no_draft");
    const usage = await c.send("โควตาเหลือเท่าไหร่");
    expect(usage).toMatchObject({
      kind: "usage",
      language: "th",
      today: { used: 0, limit: 10 },
      month: { spentUsd: 0, budgetUsd: 5 },
      revisions: null,
    });
    expect(usage.kind === "usage" && usage.today.resetsAt.getTime()).toBeGreaterThan(Date.now());
    expect((await c.send("help")).kind).toBe("help");
    expect(await outcomes("small_talk")).toBe(smallTalk + 2);
    expect(await outcomes("usage")).toBe(usageAsked + 1);
    expect(chatCalls().length).toBe(before);
    expect(sinks.of(c.chatId)).toEqual([]);
    expect(await app.db.prisma.generation.count({ where: { requester: { externalId: c.chatId } } })).toBe(0);
  });

  it("gives a person's overview the usage answer's numbers and their latest drafts with where they are", async () => {
    const c = chat();
    await c.send("write an article about open banking for CIOs, 400 words");
    await until(() => sinks.endings(c.chatId) === 1);
    await allRecorded(app.db);
    const person = {
      platform: "LINE" as const,
      tenant: { externalId: "line-channel" },
      requester: { externalId: c.chatId },
    };
    const overview = await pipeline.overview(person);
    const usage = await c.send("how many do I have left?");
    expect(usage.kind).toBe("usage");
    if (usage.kind !== "usage") return;
    expect(overview.today).toEqual(usage.today);
    expect(overview.month).toEqual(usage.month);
    expect(overview.today.used).toBe(1);
    expect(overview.recent).toHaveLength(1);
    expect(overview.recent[0]).toMatchObject({
      status: "DELIVERED",
      language: "en",
      conversation: { platform: "LINE", chatId: c.chatId },
    });
    expect(overview.recent[0]!.topic.toLowerCase()).toContain("open banking");
  });

  it("answers a message without letters in the language the platform knows the person by", async () => {
    const chatId = `U${randomBytes(6).toString("hex")}`;
    const result = await pipeline.converse({
      platform: "LINE",
      eventId: `${chatId}-1`,
      tenant: { externalId: "line-channel" },
      requester: { externalId: chatId },
      input: { kind: "text", text: "👍" },
      destination: { platform: "LINE", conversation: chatId },
      conversation: { platform: "LINE", chatId },
      language: "th",
    });
    expect(result).toEqual({ kind: "small_talk", language: "th" });
  });

  it("stops mid-draft: the stream is aborted, the slot given back, the tokens recorded", async () => {
    fake.set({ tokensPerSecond: 60 });
    try {
      const c = chat();
      const queued = await c.send("write an article about energy storage for CFOs, 800 words");
      expect(queued.kind).toBe("queued");
      const id = queued.kind === "queued" ? queued.generationId : "";
      await until(() => sinks.chunks(c.chatId).length >= 1);
      const stop = await c.send("stop");
      expect(stop).toEqual({ kind: "stopped", language: "en", generationIds: [id] });
      expect(await outcomes("cancelled")).toBeGreaterThanOrEqual(1);
      await until(() => sinks.endings(c.chatId) === 1);
      const events = sinks.of(c.chatId);
      expect(events.at(-1)).toMatchObject({ type: "stopped", stop: { generationId: id, refunded: true } });
      expect(events.some((e) => e.type === "finish")).toBe(false);
      const g = await app.db.prisma.generation.findUniqueOrThrow({
        where: { id },
        include: { tokenUsage: true },
      });
      expect(g.status).toBe("CANCELLED");
      expect(g.inputTokens).toBeGreaterThan(0);
      expect(g.outputTokens).toBeGreaterThan(0);
      expect(g.tokenUsage.map((u) => u.operation).filter((op) => op !== "EMBEDDING")).toEqual(["CHAT"]);
      expect(await usedToday(c.chatId)).toBe(0);
      const r = await requesterOf(c.chatId);
      const daily = await app.db.prisma.dailyUsage.findFirstOrThrow({ where: { requesterId: r.id } });
      expect(daily.articles).toBe(0);
      expect(daily.outputTokens).toBe(g.outputTokens);
      // Nothing more arrives after the stop.
      const seen = sinks.of(c.chatId).length;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sinks.of(c.chatId).length).toBe(seen);
    } finally {
      fake.set({ tokensPerSecond: 0 });
    }
  });

  it("delivers two quick requests in one conversation one after the other", async () => {
    fake.set({ tokensPerSecond: 400 });
    try {
      const c = chat();
      const a = await c.send("write an article about smart ports for executives, 400 words");
      const b = await c.send("write a new article about digital twins in factories, 400 words");
      expect(a.kind).toBe("queued");
      expect(b.kind).toBe("waiting");
      expect(b.kind === "waiting" && b.ahead).toBe(1);
      expect(await outcomes("waiting")).toBeGreaterThanOrEqual(1);
      await until(() => sinks.endings(c.chatId) === 2, 60_000);
      const ids = sinks
        .of(c.chatId)
        .filter((e) => e.type === "start" || e.type === "finish")
        .map((e) =>
          e.type === "start" ? `start ${e.header.generationId}` : `finish ${e.summary.generationId}`,
        );
      const idA = a.kind === "queued" ? a.generationId : "";
      const idB = b.kind === "waiting" ? b.of.generationId : "";
      expect(ids).toEqual([`start ${idA}`, `finish ${idA}`, `start ${idB}`, `finish ${idB}`]);
      const [firstB] = sinks
        .of(c.chatId)
        .flatMap((e, i) => (e.type === "start" && e.header.generationId === idB ? [i] : []));
      const lastA = sinks
        .of(c.chatId)
        .findIndex((e) => e.type === "finish" && e.summary.generationId === idA);
      expect(lastA).toBeLessThan(firstB!);
    } finally {
      fake.set({ tokensPerSecond: 0 });
    }
  });

  it("starts the next draft in a conversation only once the previous one's end is in the chat", async () => {
    const c = chat();
    let release = () => {};
    sinks.finishGates.set(c.chatId, new Promise<void>((r) => (release = r)));
    try {
      const a = await c.send("write an article about cold-chain logistics for executives, 300 words");
      const b = await c.send("write a new article about port automation, 300 words");
      const idA = a.kind === "queued" ? a.generationId : "";
      const idB = b.kind === "waiting" ? b.of.generationId : "";
      expect(idB).not.toBe("");
      // A is written (its article counted) but its closing message is held: not DELIVERED yet.
      await until(async () => {
        const g = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: idA } });
        return g.finishedAt !== null;
      });
      const held = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: idA } });
      expect(held.status).toBe("RUNNING");
      expect(await usedToday(c.chatId)).toBeGreaterThanOrEqual(1);
      const bWhileHeld = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: idB } });
      expect(bWhileHeld.status).toBe("QUEUED");
      expect(sinks.of(c.chatId).some((e) => e.type === "start" && e.header.generationId === idB)).toBe(false);
      release();
      await until(() => sinks.endings(c.chatId) === 2, 60_000);
      const order = sinks
        .of(c.chatId)
        .filter((e) => e.type === "start" || e.type === "finish")
        .map((e) =>
          e.type === "start" ? `start ${e.header.generationId}` : `finish ${e.summary.generationId}`,
        );
      expect(order).toEqual([`start ${idA}`, `finish ${idA}`, `start ${idB}`, `finish ${idB}`]);
      const final = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: idA } });
      expect(final.status).toBe("DELIVERED");
    } finally {
      release();
      sinks.finishGates.delete(c.chatId);
    }
  });

  it("keeps two requests that differ only in keywords as two cache entries", async () => {
    const topic = `open banking ${randomBytes(3).toString("hex")}`;
    const plain = chat();
    await plain.send(`write about ${topic} for executives`);
    await until(() => sinks.endings(plain.chatId) === 1);
    const keyed = chat();
    await keyed.send(`write about ${topic} for executives, keywords: embedded finance, APIs`);
    await until(() => sinks.endings(keyed.chatId) === 1);
    const entries = await app.db.prisma.topicCacheEntry.findMany({ where: { topic } });
    expect(entries).toHaveLength(2);
    const second = await app.db.prisma.generation.findFirstOrThrow({
      where: { requester: { externalId: keyed.chatId } },
    });
    expect(second.cacheHit).toBe(false);
  });
});

describe("conversations offline (embedded, no language model)", () => {
  let dir: string;
  let app: AppContext;
  let pipeline: Pipeline;
  const sinks = new RecordingSinks(3_000);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ab-conversations-offline-"));
    const config = loadConfig({ DATA_DIR: dir, PORT: "0", ADMIN_PORT: "0" });
    const db = await openDatabase(config);
    await db.migrate();
    await seed(db, config);
    app = { config, logger: createLogger("silent"), db, redis: null };
    pipeline = createPipeline(app, { sinks: { LINE: sinks.factory } });
    pipeline.startWorker();
  });
  afterAll(async () => {
    await pipeline?.close();
    await app?.db.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("revises the outline honestly: labelled as an offline revision, at the new length", async () => {
    const conversation = { platform: "LINE" as const, chatId: "U-offline" };
    const say = (eventId: string, text: string): ConversationMessage => ({
      platform: "LINE",
      eventId,
      tenant: { externalId: "line-channel" },
      requester: { externalId: "U-offline" },
      input: { kind: "text", text },
      destination: { platform: "LINE", conversation: "U-offline" },
      conversation,
    });
    expect(
      (await pipeline.converse(say("e1", "write about smart farming for executives, 800 words"))).kind,
    ).toBe("queued");
    await until(() => sinks.endings("U-offline") === 1);
    const v1 = await app.db.prisma.generation.findFirstOrThrow({ where: { requestKey: "LINE:e1" } });
    const revised = await pipeline.converse(say("e2", "make it shorter"));
    // About half of what was delivered (the brief's own words), on the shared rule.
    const target = shorterTarget(v1.words!);
    expect(revised.kind === "queued_revision" && revised.request.targetWords).toBe(target);
    await until(() => sinks.endings("U-offline") === 2);
    await allRecorded(app.db);
    const v2 = await app.db.prisma.generation.findFirstOrThrow({ where: { requestKey: "LINE:e2" } });
    expect(v2.draft?.split("\n")[0]).toBe(
      '**Revised outline composed offline, without a language model**: the brief for "smart farming" redone for "make it shorter", not a finished article.',
    );
    expect(v2.draft).toContain(`about ${target} words`);
    expect(v2.status).toBe("DELIVERED");
  });
});
