import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { DeliveryIncomplete } from "../../core/deliver/sink.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { allRecorded } from "../helpers/generations.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";
import { until } from "../helpers/wait.ts";

let testApp: TestApp;
let fake: FakeOpenAI;
let app: AppContext;
let pipeline: Pipeline;
const sinks = new RecordingSinks(1_200);

function ask(
  text: string,
  who: { tenant?: string; user?: string; platform?: "CONSOLE" | "LINE" } = {},
): ChatRequest & { conversation: string } {
  const conversation = randomBytes(6).toString("hex");
  return {
    conversation,
    platform: who.platform ?? "CONSOLE",
    eventId: `ev-${conversation}`,
    tenant: { externalId: who.tenant ?? "workspace-1" },
    requester: { externalId: who.user ?? "user-1" },
    input: { kind: "text", text },
    destination: { platform: "CONSOLE", conversation },
  };
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
  testApp = await openTestApp("ab_pipeline", () => ({
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
  }));
  app = testApp.app;
  pipeline = createPipeline(app, {
    workerConcurrency: 4,
    sinks: { CONSOLE: sinks.factory, LINE: sinks.factory },
  });
  pipeline.startWorker();
});
afterAll(async () => {
  await pipeline?.close();
  await testApp?.close();
  await fake?.close();
});

describe("the article pipeline (PostgreSQL, Redis, BullMQ, fake OpenAI)", () => {
  it("queues a request, streams the draft as ordered chunks and records its cost", async () => {
    const req = ask("write an article about AI in retail for executives, 600 words");
    const accepted = await pipeline.accept(req);
    expect(accepted.kind).toBe("queued");
    await until("the draft to end in the sink", () => sinks.ended(req.conversation));
    await allRecorded(app.db);

    const events = sinks.of(req.conversation);
    expect(events[0]?.type).toBe("start");
    expect(events.at(-1)?.type).toBe("finish");
    const chunks = sinks.chunks(req.conversation);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(1_200);

    const g = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `CONSOLE:${req.eventId}` },
      include: { tokenUsage: true },
    });
    expect(g.status).toBe("DELIVERED");
    expect(g.cacheHit).toBe(false);
    expect(g.chunksDelivered).toBe(chunks.length);
    expect(g.outputTokens).toBeGreaterThan(100);
    expect(g.costUsd.toNumber()).toBeGreaterThan(0);
    expect(g.tokenUsage.map((u) => u.operation)).toContain("CHAT");
    expect(g.firstChunkMs).not.toBeNull();
  });

  it("never writes a second draft for a redelivered event", async () => {
    const req = ask("write about digital banking in Thailand");
    const first = await pipeline.accept(req);
    const again = await pipeline.accept(req);
    expect(again).toEqual({
      kind: "duplicate",
      generationId: first.kind === "queued" ? first.generationId : "",
    });
    await until("the draft to end in the sink", () => sinks.ended(req.conversation));
    expect(sinks.of(req.conversation).filter((e) => e.type === "start")).toHaveLength(1);
  });

  it("serves the same topic from the cache to a colleague with zero LLM tokens", async () => {
    const topic = `smart factories ${randomBytes(2).toString("hex")}`;
    const first = ask(`write about ${topic} for executives`, { user: "alice" });
    await pipeline.accept(first);
    await until("the first draft to end", () => sinks.ended(first.conversation));
    const chatCallsBefore = fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

    const second = ask(`Write about ${topic.split(" ").reverse().join(" ")} for executives!`, {
      user: "bob",
    });
    await pipeline.accept(second);
    await until("the second draft to end", () => sinks.ended(second.conversation));
    expect(fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length).toBe(chatCallsBefore);
    expect(sinks.chunks(second.conversation).map((c) => c.text)).toEqual(
      sinks.chunks(first.conversation).map((c) => c.text),
    );
    const g = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `CONSOLE:${second.eventId}` },
    });
    expect(g.cacheHit).toBe(true);
    expect(g.outputTokens).toBe(0);
    const finish = sinks.of(second.conversation).at(-1);
    expect(finish?.type === "finish" && finish.summary.cacheHit).toBe(true);

    // Another workspace does not get it.
    const other = ask(`write about ${topic} for executives`, { tenant: "workspace-2" });
    await pipeline.accept(other);
    await until("the other draft to end", () => sinks.ended(other.conversation));
    expect(
      (
        await app.db.prisma.generation.findUniqueOrThrow({
          where: { requestKey: `CONSOLE:${other.eventId}` },
        })
      ).cacheHit,
    ).toBe(false);
  });

  it("posts the end again after a failed closing message, without writing the draft twice", async () => {
    const req = ask("write an article about retail media networks for executives");
    sinks.finishErrors.set(req.conversation, [new Error("socket hang up")]);
    const chatCallsBefore = fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
    await pipeline.accept(req);
    await until("the draft's end to be posted", () => sinks.ended(req.conversation), { timeoutMs: 60_000 });
    await until("the generation to be delivered", async () => {
      const g = await app.db.prisma.generation.findUniqueOrThrow({
        where: { requestKey: `CONSOLE:${req.eventId}` },
      });
      return g.status === "DELIVERED";
    });
    expect(fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length - chatCallsBefore).toBe(
      1,
    );
    expect(sinks.of(req.conversation).filter((e) => e.type === "finish")).toHaveLength(1);
    const g = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `CONSOLE:${req.eventId}` },
      include: { tokenUsage: true },
    });
    expect(g.errorCode).toBeNull();
    expect(g.tokenUsage.filter((u) => u.operation === "CHAT")).toHaveLength(1);
    const finish = sinks.of(req.conversation).at(-1);
    expect(finish?.type === "finish" && finish.summary.words).toBe(g.words);
  });

  it("records a draft whose end the platform refused for good as delivered with the refusal's code", async () => {
    const req = ask("write an article about loyalty programmes for executives");
    sinks.finishErrors.set(req.conversation, [new DeliveryIncomplete("monthly_limit", "push quota used up")]);
    await pipeline.accept(req);
    await until("the generation to be final", async () => {
      const g = await app.db.prisma.generation.findUniqueOrThrow({
        where: { requestKey: `CONSOLE:${req.eventId}` },
      });
      return g.status === "DELIVERED";
    });
    const g = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `CONSOLE:${req.eventId}` },
    });
    expect(g.errorCode).toBe("monthly_limit");
    expect(sinks.of(req.conversation).some((e) => e.type === "fail")).toBe(false);
  });

  it("answers empty requests with guidance and uses nothing", async () => {
    const result = await pipeline.accept(ask("   "));
    expect(result.kind).toBe("guidance");
  });

  it("refuses over the daily limit with usage, limit and reset time", async () => {
    const user = `heavy-${randomBytes(3).toString("hex")}`;
    const requester = ask("warm up", { user, platform: "LINE" });
    await pipeline.accept({ ...requester, input: { kind: "text", text: "   " } }); // creates the requester on LINE's Free tier
    const free = await app.db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } });
    const results = [];
    for (let i = 0; i <= free.dailyArticleLimit!; i++)
      results.push(
        await pipeline.accept(ask(`topic number ${i} about logistics`, { user, platform: "LINE" })),
      );
    const refused = results.at(-1)!;
    expect(results.filter((r) => r.kind === "queued")).toHaveLength(free.dailyArticleLimit!);
    expect(refused.kind).toBe("refused");
    if (refused.kind === "refused")
      expect(refused.refusal).toMatchObject({ limit: "daily", used: 10, max: 10 });
  });

  it("tells the person when their length was capped to the tier, with the draft", async () => {
    const req = ask("write an article about AI in logistics for executives, 3000 words", {
      user: `capped-${randomBytes(3).toString("hex")}`,
      platform: "LINE",
    });
    const accepted = await pipeline.accept(req);
    expect(accepted.kind === "queued" && accepted.request.targetWords).toBe(800); // LINE's Free tier
    await until("the draft to end in the sink", () => sinks.ended(req.conversation));
    const start = sinks.of(req.conversation)[0];
    expect(start?.type === "start" && start.header.notes.join(" ")).toMatch(/800/);
  });

  it("takes a newcomer's first messages arriving together (no unique-key race)", async () => {
    const tenant = `new-team-${randomBytes(3).toString("hex")}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pipeline.accept(ask(`newcomer topic ${i} about fintech`, { tenant, user: "first-timer" })),
      ),
    );
    expect(results.map((r) => r.kind)).toEqual(Array(6).fill("queued"));
    expect(
      await app.db.prisma.requester.count({
        where: { externalId: "first-timer", tenant: { externalId: tenant } },
      }),
    ).toBe(1);
    // Let them finish here, so the next test's outage does not fail them.
    await until(
      "no generation of the tenant queued or running",
      async () =>
        (await app.db.prisma.generation.count({
          where: { requester: { tenant: { externalId: tenant } }, status: { in: ["QUEUED", "RUNNING"] } },
        })) === 0,
    );
  });

  it("apologises, records the failure and gives the quota back when the LLM is down", async () => {
    fake.set({ failure: { kind: "status", status: 500, only: "chat" } });
    try {
      const user = `unlucky-${randomBytes(3).toString("hex")}`;
      const req = ask("write about energy transition for CFOs", { user });
      await pipeline.accept(req);
      await until("the draft to end in the sink", () => sinks.ended(req.conversation));
      const failure = sinks.of(req.conversation).at(-1);
      expect(failure?.type).toBe("fail");
      // Five failed attempts may trip the breaker before the job's retries run out: either
      // code is the honest answer, and the person is told the same thing.
      if (failure?.type === "fail") {
        expect(["unavailable", "circuit_open"]).toContain(failure.failure.code);
        expect(failure.failure.refunded).toBe(true);
      }
      const g = await app.db.prisma.generation.findUniqueOrThrow({
        where: { requestKey: `CONSOLE:${req.eventId}` },
        include: { requester: { include: { tenant: { include: { defaultTier: true } } } } },
      });
      expect(g.status).toBe("FAILED");
      const usage = await pipeline.quotas.usage(g.requesterId, g.requester.tenant.defaultTier);
      expect(usage.today.used).toBe(0);
    } finally {
      fake.set({ failure: null });
    }
  });
});
