import { expect } from "vitest";
import { type Database, Prisma } from "../../core/db/client.ts";

/**
 * Writes, reads back and deletes one row of every model through the generated client,
 * checking that each kind of column (Decimal, Json, arrays, BigInt, Date, enums) round-trips.
 * Returns the model names it touched, so the caller can check none was forgotten.
 */
export async function exerciseEveryModel(db: Database): Promise<string[]> {
  const p = db.prisma;
  const suffix = Math.random().toString(36).slice(2, 8);
  const day = new Date("2026-11-26T00:00:00Z");

  const tier = await p.tier.create({
    data: {
      name: `T-${suffix}`,
      burstPerMinute: 5,
      maxWords: 900,
      monthlyBudgetUsd: "12.34",
      cacheScope: "REQUESTER",
    },
  });
  expect(tier.monthlyBudgetUsd?.toString()).toBe("12.34");
  const tenant = await p.tenant.create({
    data: { platform: "SLACK", externalId: `T${suffix}`, name: "Acme", defaultTierId: tier.id },
  });
  const requester = await p.requester.create({
    data: {
      tenantId: tenant.id,
      platform: "SLACK",
      externalId: `U${suffix}`,
      displayName: "Somchai",
      tierId: tier.id,
    },
  });
  const cacheEntry = await p.topicCacheEntry.create({
    data: {
      key: `k-${suffix}`,
      scope: "TENANT",
      tenantId: tenant.id,
      topic: "AI in retail",
      normalizedTopic: "ai retail",
      language: "en",
      lengthBucket: 800,
      draft: "# Title",
      words: 2,
      sizeBytes: 7,
      embedding: [0.25, -1.5],
      costUsd: "0.000123456",
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  });
  expect(cacheEntry.embedding).toEqual([0.25, -1.5]);
  const generation = await p.generation.create({
    data: {
      requestKey: `ev-${suffix}`,
      tenantId: tenant.id,
      requesterId: requester.id,
      platform: "SLACK",
      request: { topic: "AI in retail", keywords: ["ai", "retail"] },
      topic: "AI in retail",
      language: "en",
      targetWords: 800,
      day,
      costUsd: "0.000987654",
      cacheEntryId: cacheEntry.id,
      sources: [{ documentId: "d1", score: 0.9 }],
    },
  });
  expect(generation.request).toEqual({ topic: "AI in retail", keywords: ["ai", "retail"] });
  expect(generation.costUsd.equals(new Prisma.Decimal("0.000987654"))).toBe(true);
  expect(generation.day.toISOString()).toBe(day.toISOString());
  const draft = await p.draft.create({
    data: {
      tenantId: tenant.id,
      requesterId: requester.id,
      platform: "LINE",
      conversationKey: `line:U${suffix}`,
      request: { topic: "AI in retail" },
    },
  });
  const revision = await p.generation.create({
    data: {
      requestKey: `ev-rev-${suffix}`,
      tenantId: tenant.id,
      requesterId: requester.id,
      platform: "SLACK",
      request: { topic: "AI in retail" },
      topic: "AI in retail",
      language: "en",
      targetWords: 400,
      day,
      draftId: draft.id,
      revisesId: generation.id,
      instruction: "make it shorter",
    },
  });
  const bubble = await p.draftMessage.create({
    data: { platform: "LINE", messageId: `m-${suffix}`, draftId: draft.id, generationId: revision.id },
  });
  const revisionUse = await p.tokenUsage.create({
    data: {
      generationId: revision.id,
      operation: "REVISION",
      model: "gpt-4o-mini",
      inputTokens: 1500,
      outputTokens: 500,
      costUsd: "0.000525",
    },
  });
  const usage = await p.tokenUsage.create({
    data: {
      generationId: generation.id,
      operation: "CHAT",
      model: "gpt-4o-mini",
      inputTokens: 900,
      outputTokens: 1100,
      costUsd: "0.000795",
    },
  });
  const vote = await p.draftFeedback.create({
    data: {
      generationId: generation.id,
      platform: "LINE",
      voterId: `U${suffix}`,
      vote: "DOWN",
      comment: "ยาวไป",
    },
  });
  expect(vote.comment).toBe("ยาวไป");
  const phrase = await p.stylePhrase.create({ data: { phrase: `cliché ${suffix}` } });
  const daily = await p.dailyUsage.create({
    data: {
      day,
      requesterId: requester.id,
      tenantId: tenant.id,
      platform: "SLACK",
      articles: 1,
      latencyMsTotal: 9_000_000_000n,
      latencyBuckets: [0, 1, 0],
    },
  });
  expect(daily.latencyMsTotal).toBe(9_000_000_000n);
  expect(daily.latencyBuckets).toEqual([0, 1, 0]);
  const modelDay = await p.dailyModelUsage.create({
    data: { day, model: `m-${suffix}`, operation: "EMBEDDING", calls: 1, inputTokens: 5n },
  });
  const doc = await p.corpusDocument.create({
    data: {
      source: `doc-${suffix}.md`,
      title: "Retail 2030",
      language: "th",
      contentHash: "abc",
      body: "เนื้อหา",
    },
  });
  const chunk = await p.corpusChunk.create({
    data: { documentId: doc.id, ordinal: 0, text: "เนื้อหา", tokens: 3, language: "th", embedding: [1, 0] },
  });
  expect(chunk.text).toBe("เนื้อหา");
  const emb = await p.embeddingCacheEntry.create({
    data: { model: "hash-256", textHash: `h-${suffix}`, vector: [0.5] },
  });
  const price = await p.modelPrice.create({
    data: { model: `model-${suffix}`, inputPerMTokUsd: "0.15", outputPerMTokUsd: "0.6" },
  });
  expect(price.outputPerMTokUsd.toString()).toBe("0.6");
  const admin = await p.adminUser.create({
    data: { email: `a-${suffix}@example.com`, passwordHash: "x", role: "ADMIN" },
  });
  const session = await p.adminSession.create({
    data: { id: `s-${suffix}`, userId: admin.id, expiresAt: new Date(Date.now() + 60_000) },
  });
  const audit = await p.auditLog.create({
    data: {
      actorId: admin.id,
      actorEmail: admin.email,
      action: "tier.update",
      entityType: "Tier",
      entityId: tier.id,
      before: { maxWords: 800 },
      after: { maxWords: 900 },
    },
  });

  // Read through relations once, so the foreign keys are the ones the client expects.
  const loaded = await p.generation.findUniqueOrThrow({
    where: { id: generation.id },
    include: { tokenUsage: true, requester: { include: { tier: true, tenant: true } }, cacheEntry: true },
  });
  expect(loaded.tokenUsage).toHaveLength(1);
  expect(loaded.requester.tenant.externalId).toBe(`T${suffix}`);
  expect(loaded.cacheEntry?.id).toBe(cacheEntry.id);
  const version = await p.generation.findUniqueOrThrow({
    where: { id: revision.id },
    include: { draftOf: true, revises: true, messages: true, tokenUsage: true },
  });
  expect(version.draftOf?.conversationKey).toBe(`line:U${suffix}`);
  expect(version.revises?.id).toBe(generation.id);
  expect(version.messages.map((m) => m.messageId)).toEqual([bubble.messageId]);
  expect(version.tokenUsage.map((u) => u.operation)).toEqual(["REVISION"]);
  expect((await p.tier.findUniqueOrThrow({ where: { id: tier.id } })).revisionsPerDraft).toBe(3);

  await p.generation.delete({ where: { id: revision.id } }); // cascades to its bubbles and usage
  expect(await p.draftMessage.count({ where: { draftId: draft.id } })).toBe(0);
  expect(await p.tokenUsage.count({ where: { id: revisionUse.id } })).toBe(0);
  await p.draft.delete({ where: { id: draft.id } });

  await p.stylePhrase.delete({ where: { phrase: phrase.phrase } });
  await p.auditLog.delete({ where: { id: audit.id } });
  await p.adminSession.delete({ where: { id: session.id } });
  await p.adminUser.delete({ where: { id: admin.id } });
  await p.modelPrice.delete({ where: { model: price.model } });
  await p.embeddingCacheEntry.delete({
    where: { model_textHash: { model: emb.model, textHash: emb.textHash } },
  });
  await p.corpusDocument.delete({ where: { id: doc.id } }); // cascades to its chunks
  expect(await p.corpusChunk.count({ where: { documentId: doc.id } })).toBe(0);
  await p.dailyModelUsage.delete({
    where: { day_model_operation: { day, model: modelDay.model, operation: "EMBEDDING" } },
  });
  await p.dailyUsage.delete({ where: { day_requesterId: { day, requesterId: requester.id } } });
  // The trigger counted the generation in GenerationTotals; deleting it takes the count back.
  const counted = () =>
    p.generationTotals.aggregate({ where: { tenantId: tenant.id }, _sum: { count: true } });
  expect((await counted())._sum.count).toBe(1);
  await p.generation.delete({ where: { id: generation.id } }); // cascades to token usage
  expect((await counted())._sum.count).toBe(0);
  await p.generationTotals.deleteMany({ where: { tenantId: tenant.id } });
  expect(await p.tokenUsage.count({ where: { id: usage.id } })).toBe(0);
  expect(await p.draftFeedback.count({ where: { id: vote.id } })).toBe(0);
  await p.topicCacheEntry.delete({ where: { id: cacheEntry.id } });
  await p.requester.delete({ where: { id: requester.id } });
  await p.tenant.delete({ where: { id: tenant.id } });
  await p.tier.delete({ where: { id: tier.id } });

  const queued = await p.queuedJob.create({
    data: { id: `g-${suffix}`, data: { generationId: `g-${suffix}`, notes: ["ไทย"] }, runAt: day },
  });
  expect(queued).toMatchObject({ state: "waiting", attemptsStarted: 0, stalls: 0, data: { notes: ["ไทย"] } });
  await p.queuedJob.delete({ where: { id: queued.id } });
  const entry = await p.inboxEntry.create({
    data: { inbox: "line", payload: '{"events":[]}', receivedAt: day },
  });
  expect(entry.receivedAt.toISOString()).toBe(day.toISOString());
  await p.inboxEntry.delete({ where: { id: entry.id } });
  // The migration creates the one row; a bump moves its version on.
  const before = await p.catalogVersion.findUniqueOrThrow({ where: { id: 1 } });
  const bumped = await p.catalogVersion.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
  expect(bumped.version).toBe(before.version + 1);

  const settings = await p.limitSettings.create({
    data: { monthlyBudgetUsd: "1234.56", alertEmail: "a@example.com" },
  });
  expect(settings).toMatchObject({ id: "global", dailySpendUsd: null, alertWebhookUrl: null });
  expect(settings.monthlyBudgetUsd?.toFixed(2)).toBe("1234.56");
  await p.limitSettings.delete({ where: { id: "global" } });
  const refusal = await p.quotaRefusal.create({
    data: { day, tenantId: "t", requesterId: "r", platform: "LINE", limit: "workspace_daily", tier: "Free" },
  });
  expect(refusal.day.toISOString()).toBe(day.toISOString());
  await p.quotaRefusal.delete({ where: { id: refusal.id } });
  const claim = { key: "global", period: "2026-11", threshold: 80 };
  expect((await p.budgetAlert.createMany({ data: [claim], skipDuplicates: true })).count).toBe(1);
  expect((await p.budgetAlert.createMany({ data: [claim], skipDuplicates: true })).count).toBe(0);
  await p.budgetAlert.deleteMany({});
  const tenantUsage = await p.dailyTenantUsage.create({
    data: { day, tenantId: "t", articles: 2, costUsd: "0.000000001", savedUsd: "0.5", latencyBuckets: [1] },
  });
  expect(tenantUsage).toMatchObject({ cacheHits: 0, failures: 0, refusals: 0, latencyBuckets: [1] });
  expect([tenantUsage.costUsd.toString(), tenantUsage.savedUsd.toString()]).toEqual(["1e-9", "0.5"]);
  await p.dailyTenantUsage.delete({ where: { tenantId_day: { tenantId: "t", day } } });

  return [
    "LimitSettings",
    "DailyTenantUsage",
    "QuotaRefusal",
    "BudgetAlert",
    "Tier",
    "Tenant",
    "Requester",
    "TopicCacheEntry",
    "Generation",
    "Draft",
    "DraftMessage",
    "TokenUsage",
    "DailyUsage",
    "DailyModelUsage",
    "GenerationTotals",
    "CorpusDocument",
    "CorpusChunk",
    "EmbeddingCacheEntry",
    "ModelPrice",
    "AdminUser",
    "AdminSession",
    "AuditLog",
    "QueuedJob",
    "InboxEntry",
    "DraftFeedback",
    "StylePhrase",
    "CatalogVersion",
  ];
}
