import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CacheOwner, TopicCache } from "../../core/cache/topic-cache.ts";
import type { Database } from "../../core/db/client.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { connectRedis, type Redis } from "../../core/redis.ts";
import { type OpenedTestDatabase, openTestDatabase, REDIS_URL } from "../helpers/services.ts";

const base: ArticleRequest = {
  topic: "AI in retail",
  industry: "retail",
  audience: "executives",
  targetWords: 800,
  keywords: [],
  language: "en",
  tone: "executive",
};
const draft = {
  title: "AI in Retail",
  draft: "# AI in Retail\n\nA hook.",
  words: 5,
  sources: [],
  model: "gpt-4o-mini",
  costUsd: "0.00123",
};

let opened: OpenedTestDatabase;
let db: Database;
let redis: Redis;
let owners: { a1: CacheOwner; a2: CacheOwner; b1: CacheOwner };

beforeAll(async () => {
  opened = await openTestDatabase("postgres");
  db = opened.db;
  await db.migrate();
  redis = connectRedis(REDIS_URL);
  await redis.connect();
  const tier = await db.prisma.tier.create({ data: { name: "T", burstPerMinute: 10, maxWords: 800 } });
  const [ta, tb] = await Promise.all(
    ["TA", "TB"].map((externalId) =>
      db.prisma.tenant.create({ data: { platform: "SLACK", externalId, defaultTierId: tier.id } }),
    ),
  );
  const mk = (tenantId: string, externalId: string) =>
    db.prisma.requester.create({ data: { tenantId, platform: "SLACK", externalId } });
  const [r1, r2, r3] = await Promise.all([mk(ta!.id, "U1"), mk(ta!.id, "U2"), mk(tb!.id, "U3")]);
  owners = {
    a1: { scope: "TENANT", tenantId: ta!.id, requesterId: r1.id },
    a2: { scope: "TENANT", tenantId: ta!.id, requesterId: r2.id },
    b1: { scope: "TENANT", tenantId: tb!.id, requesterId: r3.id },
  };
});
afterAll(async () => {
  redis?.disconnect();
  await opened?.cleanup();
});

describe.each(["redis", "memory"] as const)("topic cache in %s", (store) => {
  const cache = () =>
    new TopicCache({
      db,
      redis: store === "redis" ? redis : null,
      keyPrefix: `ab:test:${randomBytes(4).toString("hex")}`,
    });

  it("matches the same topic whatever its case, punctuation and word order, within the tenant only", async () => {
    const c = cache();
    await c.store(base, owners.a1, draft);
    const hit = await c.lookup({ ...base, topic: "Retail AI!" }, owners.a2);
    expect(hit?.match).toBe("exact");
    expect(hit?.draft.draft).toBe(draft.draft);
    expect(await c.lookup(base, owners.b1)).toBeNull(); // another workspace
    expect(await c.lookup({ ...base, targetWords: 2_000 }, owners.a1)).toBeNull(); // another length bucket
    expect(await c.lookup({ ...base, industry: "banking" }, owners.a1)).toBeNull();
  });

  it("keys on everything that reaches the prompt: keywords (in any order and case) and tone", async () => {
    const c = cache();
    const request = { ...base, topic: `open banking ${randomBytes(2).toString("hex")}` };
    const withKeywords = { ...request, keywords: ["Embedded finance", "APIs"] };
    const plain = await c.store(request, owners.a1, draft);
    const keyed = await c.store(withKeywords, owners.a1, { ...draft, draft: "# With keywords" });
    expect(keyed!.entryId).not.toBe(plain!.entryId);
    expect((await c.lookup(request, owners.a2))?.draft.draft).toBe(draft.draft);
    expect(
      (await c.lookup({ ...request, keywords: ["apis", "embedded finance"] }, owners.a2))?.draft.draft,
    ).toBe("# With keywords");
    expect(await c.lookup({ ...request, keywords: ["APIs"] }, owners.a2)).toBeNull();
    expect(await c.lookup({ ...request, tone: "visionary" }, owners.a2)).toBeNull();
    expect(await db.prisma.topicCacheEntry.count({ where: { topic: request.topic } })).toBe(2);
  });

  it("keeps requester-scoped drafts to their requester, and shares a pinned one with everyone", async () => {
    const c = cache();
    const mine: CacheOwner = { ...owners.a1, scope: "REQUESTER" };
    const request = { ...base, topic: `future of loyalty programs ${randomBytes(2).toString("hex")}` };
    const entry = await c.store(request, mine, draft);
    expect(await c.lookup(request, mine)).not.toBeNull();
    expect(await c.lookup(request, { ...owners.a2, scope: "REQUESTER" })).toBeNull();
    await c.pin(entry!.entryId, true);
    expect((await c.lookup(request, owners.b1))?.match).toBe("exact");
    await c.pin(entry!.entryId, false);
    expect(await c.lookup(request, owners.b1)).toBeNull();
  });

  it("finds a semantic match only above the threshold", async () => {
    const c = cache();
    const request = { ...base, topic: `omnichannel ${randomBytes(2).toString("hex")}` };
    await c.store(request, owners.a1, draft, [1, 0, 0]);
    expect(
      (await c.lookup({ ...request, topic: "something worded differently" }, owners.a1, [0.99, 0.05, 0]))
        ?.match,
    ).toBe("semantic");
    expect(
      await c.lookup({ ...request, topic: "something else entirely" }, owners.a1, [0.6, 0.8, 0]),
    ).toBeNull();
  });

  it("mirrors entries in the database, counts hits and refills a lost live copy from it", async () => {
    const c = cache();
    const request = { ...base, topic: `retail media networks ${randomBytes(2).toString("hex")}` };
    const entry = await c.store(request, owners.a1, draft);
    await c.lookup(request, owners.a1);
    const row = await db.prisma.topicCacheEntry.findUniqueOrThrow({ where: { id: entry!.entryId } });
    expect(row.hits).toBe(1);
    expect(row.lastHitAt).not.toBeNull();
    expect(row.costUsd.toString()).toBe("0.00123");

    const fresh = new TopicCache({ db, redis: null }); // a process whose live store is empty
    expect((await fresh.lookup(request, owners.a1))?.draft.entryId).toBe(entry!.entryId);

    expect(await c.invalidate([entry!.entryId])).toBe(1);
    expect(await c.lookup(request, owners.a1)).toBeNull();
  });

  it("keeps the query vector in the mirror, replaced when the entry is stored again", async () => {
    const c = cache();
    const request = { ...base, topic: `dark stores ${randomBytes(2).toString("hex")}` };
    const entry = await c.store(request, owners.a1, draft, [0.25, 0.5, 0]);
    const read = async () =>
      (await db.prisma.topicCacheEntry.findUniqueOrThrow({ where: { id: entry!.entryId } })).embedding;
    expect(await read()).toEqual([0.25, 0.5, 0]);
    await c.store(request, owners.a1, draft, [0, 0.75, 1]);
    expect(await read()).toEqual([0, 0.75, 1]);
    await c.store(request, owners.a1, draft);
    expect(await read()).toEqual([]);
  });

  it("caches nothing for a tier whose scope is NONE", async () => {
    const c = cache();
    const none: CacheOwner = { ...owners.a1, scope: "NONE" };
    expect(await c.store(base, none, draft)).toBeNull();
    expect(await c.lookup(base, none)).toBeNull();
  });
});
