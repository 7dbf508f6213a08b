import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { createGenerator } from "../../core/generate/index.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { allRecorded } from "../helpers/generations.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * The LLM provider failing for a while (500s, then 429s, then hanging): the breaker opens so
 * people get a clear answer at once, every failed article's quota comes back, and requests
 * after the outage are written normally. Timings are shortened through the generator's tuning.
 */
let testApp: TestApp;
let fake: FakeOpenAI;
let app: AppContext;
let pipeline: Pipeline;
const sinks = new RecordingSinks(1_200);
const user = `outage-${randomBytes(3).toString("hex")}`;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  testApp = await openTestApp("ab_faults_llm", () => ({
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
  }));
  app = testApp.app;
  const generator = createGenerator(app.config, app.logger, {
    firstTokenTimeoutMs: 500,
    idleTimeoutMs: 500,
    maxAttempts: 2,
    backoff: { baseDelayMs: 20, maxDelayMs: 50 },
    circuit: { failureThreshold: 3, windowMs: 10_000, coolDownMs: 1_000 },
  });
  pipeline = createPipeline(app, { generator, workerConcurrency: 2, sinks: { CONSOLE: sinks.factory } });
  pipeline.startWorker();
});
afterAll(async () => {
  await pipeline?.close();
  await testApp?.close();
  await fake?.close();
});

async function askAndWait(topic: string): Promise<{ conversation: string; generationId: string }> {
  const conversation = randomBytes(6).toString("hex");
  const req: ChatRequest = {
    platform: "CONSOLE",
    eventId: `ev-${conversation}`,
    tenant: { externalId: "outage" },
    requester: { externalId: user },
    input: {
      kind: "text",
      text: `write an article about ${topic} ${conversation} for executives, 400 words`,
    },
    destination: { platform: "CONSOLE", conversation },
  };
  const accepted = await pipeline.accept(req);
  if (accepted.kind !== "queued") throw new Error(`not queued: ${accepted.kind}`);
  const deadline = Date.now() + 30_000;
  while (!sinks.ended(conversation)) {
    if (Date.now() > deadline) throw new Error("article neither delivered nor failed in time");
    await new Promise((r) => setTimeout(r, 20));
  }
  await allRecorded(app.db);
  return { conversation, generationId: accepted.generationId };
}

describe("an LLM outage (fake OpenAI failing on command)", () => {
  it("fails fast with a clear code while the provider is down, refunds every quota, and recovers", async () => {
    const outcomes: string[] = [];
    for (const failure of [
      { kind: "status", status: 500 },
      { kind: "status", status: 429, retryAfterMs: 100 },
      { kind: "hang" },
    ] as const) {
      fake.set({ failure: { ...failure, only: "chat" } });
      for (let i = 0; i < 3; i++) {
        const { conversation } = await askAndWait(`supply chain risk ${failure.kind}`);
        const last = sinks.of(conversation).at(-1)!;
        expect(last.type).toBe("fail");
        if (last.type === "fail") {
          expect(["unavailable", "rate_limited", "timeout", "circuit_open"]).toContain(last.failure.code);
          expect(last.failure.refunded).toBe(true);
          outcomes.push(last.failure.code);
        }
        expect(sinks.chunks(conversation)).toHaveLength(0); // nothing half-posted
      }
    }
    // The breaker opened: later requests during the outage were answered without calling OpenAI.
    expect(outcomes).toContain("circuit_open");
    const chatCalls = fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
    expect(chatCalls).toBeLessThan(9 * 2); // 9 articles × 2 attempts each if nothing stopped them

    const requester = await app.db.prisma.requester.findFirstOrThrow({
      where: { externalId: user },
      include: { tenant: { include: { defaultTier: true } } },
    });
    expect((await pipeline.quotas.usage(requester.id, requester.tenant.defaultTier)).today.used).toBe(0);
    expect(
      await app.db.prisma.generation.count({ where: { requesterId: requester.id, status: "FAILED" } }),
    ).toBe(9);

    // Recovery: the provider answers again; after the cool-down the next articles are written.
    fake.set({ failure: null });
    await new Promise((r) => setTimeout(r, 1_100));
    const { conversation, generationId } = await askAndWait("supply chain recovery");
    expect(sinks.of(conversation).at(-1)?.type).toBe("finish");
    expect((await app.db.prisma.generation.findUniqueOrThrow({ where: { id: generationId } })).status).toBe(
      "DELIVERED",
    );
    expect((await pipeline.quotas.usage(requester.id, requester.tenant.defaultTier)).today.used).toBe(1);
  });
});
