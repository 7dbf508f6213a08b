import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setBlocked } from "../../admin/app/requesters.server.ts";
import { TierSchema, updateTier } from "../../admin/app/tiers.server.ts";
import { type Actor, audited } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import { openDatabase, type Tier } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { estimateArticleCost } from "../../core/records/cost.ts";
import { connectRedis } from "../../core/redis.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * The accept path keeps requesters, tiers and prices in memory (core/records/catalog.ts). Two
 * processes on one database — the console's and a bot's, each with its own connections and its
 * own catalog — show that a console edit applies to the very next request in the other one.
 */

const ACTOR: Actor = { userId: "", email: "ops@example.com", ip: "127.0.0.1" };

let testApp: TestApp;
let consoleApp: AppContext;
let botApp: AppContext;
let consoleSide: Pipeline;
let botSide: Pipeline;

beforeAll(async () => {
  testApp = await openTestApp("ab_catalog");
  consoleApp = testApp.app;
  const db = await openDatabase(consoleApp.config);
  const redis = connectRedis(consoleApp.config.redis!.url);
  await redis.connect();
  botApp = { ...consoleApp, logger: createLogger("silent"), db, redis };
  consoleSide = createPipeline(consoleApp);
  botSide = createPipeline(botApp);
});
afterAll(async () => {
  await botSide?.close();
  await consoleSide?.close();
  botApp?.redis?.disconnect();
  await botApp?.db.close();
  await testApp?.close();
});

function ask(user: string, text: string): ChatRequest {
  const id = randomBytes(6).toString("hex");
  return {
    platform: "CONSOLE", // console requesters start on Enterprise
    eventId: `ev-${id}`,
    tenant: { externalId: "catalog-ws" },
    requester: { externalId: user },
    input: { kind: "text", text },
    destination: { platform: "CONSOLE", conversation: id },
  };
}

/** The tier form as the console posts it, with one field changed. */
function tierForm(t: Tier, change: Partial<Record<string, string>>) {
  return TierSchema.parse({
    name: t.name,
    description: t.description,
    dailyArticleLimit: t.dailyArticleLimit === null ? "" : String(t.dailyArticleLimit),
    burstPerMinute: String(t.burstPerMinute),
    maxWords: String(t.maxWords),
    monthlyBudgetUsd: t.monthlyBudgetUsd === null ? "" : t.monthlyBudgetUsd.toFixed(2),
    allowedModel: t.allowedModel ?? "",
    cacheScope: t.cacheScope,
    revisionsPerDraft: String(t.revisionsPerDraft),
    ...change,
  });
}

async function queuedWords(p: Pipeline, req: ChatRequest): Promise<number> {
  const result = await p.accept(req);
  if (result.kind !== "queued") throw new Error(`expected queued, got ${result.kind}`);
  return result.request.targetWords;
}

describe("the accept path's catalog across processes (PostgreSQL, Redis)", () => {
  it("applies a tier edit made in the console to the next request in another process", async () => {
    const enterprise = await consoleApp.db.prisma.tier.findUniqueOrThrow({ where: { name: "Enterprise" } });
    const text = "write an article about AI agents in logistics for executives, 900 words";
    // The bot's process has the requester and their tier in memory now.
    expect(await queuedWords(botSide, ask("u-tier", text))).toBe(900);
    expect(await queuedWords(botSide, ask("u-tier", text))).toBe(900);

    const saved = await updateTier(
      consoleApp,
      ACTOR,
      enterprise.id,
      tierForm(enterprise, { maxWords: "500" }),
    );
    expect(saved.ok).toBe(true);
    expect(await queuedWords(botSide, ask("u-tier", text))).toBe(500);

    await updateTier(consoleApp, ACTOR, enterprise.id, tierForm(enterprise, {}));
    expect(await queuedWords(botSide, ask("u-tier", text))).toBe(900);
  });

  it("blocks and unblocks a known requester in another process at once", async () => {
    const text = "write an article about cyber resilience in banking";
    expect((await botSide.accept(ask("u-block", text))).kind).toBe("queued");
    const requester = await consoleApp.db.prisma.requester.findFirstOrThrow({
      where: { externalId: "u-block" },
    });

    await setBlocked(consoleApp, ACTOR, requester.id, true);
    expect((await botSide.accept(ask("u-block", text))).kind).toBe("blocked");
    await setBlocked(consoleApp, ACTOR, requester.id, false);
    expect((await botSide.accept(ask("u-block", text))).kind).toBe("queued");
  });

  it("prices with the console's latest price in another process", async () => {
    const model = `model-${randomBytes(4).toString("hex")}`;
    const setPrice = (input: string) =>
      audited(consoleApp.db, ACTOR, async (tx) => {
        await tx.modelPrice.upsert({
          where: { model },
          create: { model, inputPerMTokUsd: input, outputPerMTokUsd: "0" },
          update: { inputPerMTokUsd: input },
        });
        return { audit: { action: "price.update", entityType: "ModelPrice", entityId: model }, value: null };
      });
    const estimate = async () => {
      await botSide.catalog.currentVersion(); // what every request reads first
      return estimateArticleCost(botSide.catalog, model, 100, "en");
    };
    expect(await estimate()).toBe(0); // unpriced, and remembered as such
    await setPrice("1");
    expect(await estimate()).toBeCloseTo(0.0012, 9); // 1,200 prompt tokens at $1 per million
    await setPrice("2");
    expect(await estimate()).toBeCloseTo(0.0024, 9);
  });

  it("serves a known requester from memory until something changes", async () => {
    const text = "write an article about pricing in retail";
    await botSide.accept(ask("u-memory", text));
    const version = await botSide.catalog.currentVersion();
    // A change made behind the console's back (no audit, no version) is not seen...
    await consoleApp.db.prisma.requester.updateMany({
      where: { externalId: "u-memory" },
      data: { blocked: true },
    });
    expect((await botSide.accept(ask("u-memory", text))).kind).toBe("queued");
    expect(await botSide.catalog.currentVersion()).toBe(version);
    // ...until any console change to the catalog moves the version.
    const tier = await consoleApp.db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } });
    await updateTier(consoleApp, ACTOR, tier.id, tierForm(tier, { description: `edited ${version}` }));
    expect((await botSide.accept(ask("u-memory", text))).kind).toBe("blocked");
  });
});
