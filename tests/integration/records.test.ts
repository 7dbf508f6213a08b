import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, Prisma } from "../../core/db/client.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { baseModel, estimateArticleCost, priceUsage } from "../../core/records/cost.ts";
import {
  createGeneration,
  LATENCY_BUCKETS_MS,
  recordDelivered,
  recordFailed,
  recordRefusal,
  recordWritten,
} from "../../core/records/generations.ts";
import { seed } from "../../prisma/seed.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

const request: ArticleRequest = {
  topic: "AI in retail",
  industry: "retail",
  audience: "executives",
  targetWords: 800,
  keywords: [],
  language: "en",
  tone: "executive",
};
const day = new Date("2026-11-26T00:00:00Z");

describe.each(["postgres", "pglite"] as const)("generation records and cost on %s", (kind) => {
  let opened: OpenedTestDatabase;
  let db: Database;
  let tenantId: string;
  let requesterId: string;

  beforeAll(async () => {
    opened = await openTestDatabase(kind);
    db = opened.db;
    await db.migrate();
    await seed(db, { database: { kind: "postgres", url: "unused" }, admin: { port: 0 } });
    const tier = await db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } });
    const tenant = await db.prisma.tenant.create({
      data: { platform: "LINE", externalId: "channel-1", defaultTierId: tier.id },
    });
    const requester = await db.prisma.requester.create({
      data: { tenantId: tenant.id, platform: "LINE", externalId: "U1" },
    });
    [tenantId, requesterId] = [tenant.id, requester.id];
  });
  afterAll(async () => opened?.cleanup());

  const newGeneration = () =>
    createGeneration(db, {
      requestKey: `ev-${randomBytes(6).toString("hex")}`,
      tenantId,
      requesterId,
      platform: "LINE",
      request,
      day,
    });

  it("prices tokens exactly from the price table and flags unknown models", async () => {
    const [chat, embedding, unknown, fineTuned] = await priceUsage(db, [
      { operation: "CHAT", model: "gpt-4o-mini", inputTokens: 1_000, outputTokens: 2_000 },
      { operation: "EMBEDDING", model: "text-embedding-3-small", inputTokens: 12_345, outputTokens: 0 },
      { operation: "CHAT", model: "mystery-model", inputTokens: 10, outputTokens: 10 },
      {
        operation: "CHAT",
        model: "ft:gpt-4o-mini-2024-07-18:acme::x1",
        inputTokens: 1_000_000,
        outputTokens: 0,
      },
    ]);
    expect(chat!.costUsd.toString()).toBe("0.00135"); // (1000 × 0.15 + 2000 × 0.60) / 1e6
    expect(embedding!.costUsd.toString()).toBe("0.0002469"); // 12345 × 0.02 / 1e6
    expect(unknown).toMatchObject({ unpriced: true });
    expect(unknown!.costUsd.toString()).toBe("0");
    expect(fineTuned!.costUsd.toString()).toBe("0.15");
    // Priced as its base model even when the base model is not among the calls priced.
    const [alone] = await priceUsage(db, [
      {
        operation: "CHAT",
        model: "ft:gpt-4o-mini-2024-07-18:acme::x2",
        inputTokens: 1_000_000,
        outputTokens: 0,
      },
    ]);
    expect(alone).toMatchObject({ unpriced: false });
    expect(alone!.costUsd.toString()).toBe("0.15");
    expect(baseModel("gpt-4o-2024-08-06")).toBe("gpt-4o");
    expect(await estimateArticleCost(db, "gpt-4o-mini", 800, "en")).toBeGreaterThan(0.0009);
  });

  it("creates one generation per platform event", async () => {
    const key = `ev-${randomBytes(6).toString("hex")}`;
    const first = await createGeneration(db, {
      requestKey: key,
      tenantId,
      requesterId,
      platform: "LINE",
      request,
      day,
    });
    const again = await createGeneration(db, {
      requestKey: key,
      tenantId,
      requesterId,
      platform: "LINE",
      request,
      day,
    });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, draftId: null, duplicate: true });
  });

  it("starts a draft with its first version, and a repeated event starts no second draft", async () => {
    const key = `ev-${randomBytes(6).toString("hex")}`;
    const conversationKey = `line:U${randomBytes(4).toString("hex")}`;
    const g = {
      requestKey: key,
      tenantId,
      requesterId,
      platform: "LINE" as const,
      request,
      day,
      conversationKey,
    };
    const [first, again] = [await createGeneration(db, g), await createGeneration(db, g)];
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, draftId: first.draftId, duplicate: true });
    const drafts = await db.prisma.draft.findMany({ where: { conversationKey } });
    expect(drafts.map((d) => d.id)).toEqual([first.draftId]);
    const row = await db.prisma.generation.findUniqueOrThrow({ where: { id: first.id } });
    expect(row).toMatchObject({
      draftId: first.draftId,
      status: "QUEUED",
      topic: request.topic,
      requestKey: key,
    });
    expect(row.request).toEqual(request);
  });

  it("counts a delivered article, its tokens and cost once, however often it is recorded", async () => {
    const before = await db.prisma.dailyUsage.findUnique({
      where: { day_requesterId: { day, requesterId } },
    });
    const { id } = await newGeneration();
    const outcome = {
      model: "gpt-4o-mini",
      draft: "# AI in retail",
      words: 800,
      latencyMs: 5_000,
      firstChunkMs: 700,
      sources: [],
      cacheHit: false,
      usage: [
        { operation: "CHAT" as const, model: "gpt-4o-mini", inputTokens: 1_000, outputTokens: 2_000 },
        {
          operation: "EMBEDDING" as const,
          model: "text-embedding-3-small",
          inputTokens: 50,
          outputTokens: 0,
        },
      ],
    };
    expect((await recordWritten(db, id, outcome))?.costUsd.toString()).toBe("0.001351");
    expect(await recordWritten(db, id, outcome)).toBeNull();
    const written = await db.prisma.generation.findUniqueOrThrow({ where: { id } });
    expect(written.status).toBe("RUNNING"); // the closing message is not in the chat yet
    expect(await recordFailed(db, id, { errorCode: "x", error: "y", usage: [], latencyMs: 1 })).toBe(false);
    expect(await recordDelivered(db, id)).toBe(true);
    expect(await recordDelivered(db, id)).toBe(false);
    const g = await db.prisma.generation.findUniqueOrThrow({ where: { id }, include: { tokenUsage: true } });
    expect(g.status).toBe("DELIVERED");
    expect(g.costUsd.toString()).toBe("0.001351"); // 0.00135 + 50 × 0.02 / 1e6
    expect(g.tokenUsage).toHaveLength(2);
    const after = await db.prisma.dailyUsage.findUniqueOrThrow({
      where: { day_requesterId: { day, requesterId } },
    });
    expect(after.articles - (before?.articles ?? 0)).toBe(1);
    expect(after.costUsd.sub(before?.costUsd ?? 0).toString()).toBe("0.001351");
    const model = await db.prisma.dailyModelUsage.findUniqueOrThrow({
      where: { day_model_operation: { day, model: "gpt-4o-mini", operation: "CHAT" } },
    });
    expect(model.outputTokens).toBeGreaterThanOrEqual(2_000n);
  });

  it("adds up concurrent writers exactly, latency buckets included", async () => {
    const before = await db.prisma.dailyUsage.findUnique({
      where: { day_requesterId: { day, requesterId } },
    });
    const tenantBefore = await db.prisma.dailyTenantUsage.findUnique({
      where: { tenantId_day: { tenantId, day } },
    });
    const ids = await Promise.all(Array.from({ length: 12 }, () => newGeneration()));
    await Promise.all(
      ids.map(({ id }, i) =>
        recordWritten(db, id, {
          model: "gpt-4o-mini",
          draft: "x",
          words: 100,
          latencyMs: i % 2 ? 1_500 : 25_000,
          firstChunkMs: 100,
          sources: [],
          cacheHit: i < 3,
          savedUsd: i < 3 ? new Prisma.Decimal("0.0021") : 0,
          usage:
            i < 3 ? [] : [{ operation: "CHAT", model: "gpt-4o-mini", inputTokens: 100, outputTokens: 100 }],
        }),
      ),
    );
    const after = await db.prisma.dailyUsage.findUniqueOrThrow({
      where: { day_requesterId: { day, requesterId } },
    });
    expect(after.articles - (before?.articles ?? 0)).toBe(12);
    expect(after.cacheHits - (before?.cacheHits ?? 0)).toBe(3);
    expect(after.costUsd.sub(before?.costUsd ?? 0).toString()).toBe("0.000675"); // 9 × (100 × 0.15 + 100 × 0.6) / 1e6
    expect(after.savedUsd.sub(before?.savedUsd ?? 0).toString()).toBe("0.0063");
    const added = after.latencyBuckets.map((n, i) => n - (before?.latencyBuckets[i] ?? 0));
    expect(added).toHaveLength(LATENCY_BUCKETS_MS.length);
    expect(added[1]).toBe(6); // 1.5 s ≤ 2 s
    expect(added[11]).toBe(6); // 20 s < 25 s ≤ 25 s
    expect(added.reduce((a, b) => a + b, 0)).toBe(12);
    // The workspace's rollup (its caps and the console's Overview read it) adds up the same.
    const tenantAfter = await db.prisma.dailyTenantUsage.findUniqueOrThrow({
      where: { tenantId_day: { tenantId, day } },
    });
    expect(tenantAfter.articles - (tenantBefore?.articles ?? 0)).toBe(12);
    expect(tenantAfter.cacheHits - (tenantBefore?.cacheHits ?? 0)).toBe(3);
    expect(tenantAfter.costUsd.sub(tenantBefore?.costUsd ?? 0).toString()).toBe("0.000675");
    expect(tenantAfter.savedUsd.sub(tenantBefore?.savedUsd ?? 0).toString()).toBe("0.0063");
    expect(tenantAfter.latencyBuckets.map((n, i) => n - (tenantBefore?.latencyBuckets[i] ?? 0))).toEqual(
      added,
    );
  });

  it("records a failure once, counting no article but the tokens it spent", async () => {
    const before = await db.prisma.dailyUsage.findUniqueOrThrow({
      where: { day_requesterId: { day, requesterId } },
    });
    const { id } = await newGeneration();
    const failure = {
      errorCode: "timeout",
      error: "no first token in 30 s",
      latencyMs: 30_000,
      usage: [
        {
          operation: "EMBEDDING" as const,
          model: "text-embedding-3-small",
          inputTokens: 1_000,
          outputTokens: 0,
        },
      ],
    };
    expect(await recordFailed(db, id, failure)).toBe(true);
    expect(await recordFailed(db, id, failure)).toBe(false);
    expect(
      await recordWritten(db, id, {
        model: "m",
        draft: "",
        words: 0,
        latencyMs: 1,
        firstChunkMs: null,
        sources: [],
        cacheHit: false,
        usage: [],
      }),
    ).toBeNull();
    await recordRefusal(db, { day, requesterId, tenantId, platform: "LINE", limit: "daily", tier: "Free" });
    const after = await db.prisma.dailyUsage.findUniqueOrThrow({
      where: { day_requesterId: { day, requesterId } },
    });
    expect(after.articles).toBe(before.articles);
    expect(after.failures).toBe(before.failures + 1);
    expect(after.refusals).toBe(before.refusals + 1);
    // The workspace's day (its only requester is this one) is the same row summed.
    const tenantDay = await db.prisma.dailyTenantUsage.findUniqueOrThrow({
      where: { tenantId_day: { tenantId, day } },
    });
    expect(tenantDay).toMatchObject({
      articles: after.articles,
      cacheHits: after.cacheHits,
      failures: after.failures,
      refusals: after.refusals,
      costUsd: after.costUsd,
      savedUsd: after.savedUsd,
      latencyBuckets: after.latencyBuckets,
    });
    expect(
      await db.prisma.quotaRefusal.findMany({ where: { requesterId }, select: { limit: true, tier: true } }),
    ).toEqual([{ limit: "daily", tier: "Free" }]);
    expect(after.costUsd.sub(before.costUsd).toString()).toBe("0.00002");
    // Only embeddings were billed: no chat model to name.
    expect((await db.prisma.generation.findUniqueOrThrow({ where: { id } })).model).toBeNull();
  });

  it("names the chat model on a failed draft that was billed for it", async () => {
    const { id } = await newGeneration();
    await recordFailed(db, id, {
      errorCode: "stream_cut",
      error: "the stream ended early",
      latencyMs: 4_000,
      usage: [
        { operation: "EMBEDDING", model: "text-embedding-3-small", inputTokens: 10, outputTokens: 0 },
        { operation: "CHAT", model: "gpt-4o-mini", inputTokens: 100, outputTokens: 40 },
      ],
    });
    const g = await db.prisma.generation.findUniqueOrThrow({ where: { id } });
    expect(g).toMatchObject({ status: "FAILED", model: "gpt-4o-mini", inputTokens: 110, outputTokens: 40 });
  });
});
