import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../core/db/client.ts";
import { Quotas, type TierLimits } from "../../core/quota/quotas.ts";
import { connectRedis, type Redis } from "../../core/redis.ts";
import { dayColumn } from "../../core/time.ts";
import { type OpenedTestDatabase, openTestDatabase, REDIS_URL } from "../helpers/services.ts";

const TZ = "Asia/Bangkok";
const NOON = new Date("2026-11-26T05:00:00Z"); // 12:00 in Bangkok

let opened: OpenedTestDatabase;
let db: Database;
const redisClients: Redis[] = [];

async function redis(): Promise<Redis> {
  const client = connectRedis(REDIS_URL);
  await client.connect().catch((error: Error) => {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${error.message}); start it or set TEST_REDIS_URL.`,
    );
  });
  redisClients.push(client);
  return client;
}

async function newRequester(): Promise<string> {
  const suffix = randomBytes(4).toString("hex");
  const tier = await db.prisma.tier.create({
    data: { name: `q-${suffix}`, burstPerMinute: 10, maxWords: 800 },
  });
  const tenant = await db.prisma.tenant.create({
    data: { platform: "SLACK", externalId: `T-${suffix}`, defaultTierId: tier.id },
  });
  const r = await db.prisma.requester.create({
    data: { tenantId: tenant.id, platform: "SLACK", externalId: `U-${suffix}` },
  });
  return r.id;
}

async function delivered(requesterId: string, articles: number, costUsd = "0", at = NOON) {
  await db.prisma.dailyUsage.create({
    data: { day: dayColumn(at, TZ), requesterId, tenantId: "t", platform: "SLACK", articles, costUsd },
  });
}

const tier = (over: Partial<TierLimits> = {}): TierLimits => ({
  name: "Free",
  dailyArticleLimit: 10,
  burstPerMinute: 1000,
  monthlyBudgetUsd: null,
  ...over,
});
const prefix = () => `ab:test:${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  opened = await openTestDatabase("postgres");
  db = opened.db;
  await db.migrate();
});
afterAll(async () => {
  for (const c of redisClients) c.disconnect();
  await opened?.cleanup();
});

describe("quotas on Redis", () => {
  it("admits exactly the limit out of 200 concurrent reservations from two processes sharing Redis", async () => {
    const keyPrefix = prefix();
    const [a, b] = [
      new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix }),
      new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix }),
    ];
    const requester = await newRequester();
    await delivered(requester, 3);
    const limits = tier({ dailyArticleLimit: 50 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).reserve(requester, limits, 0, NOON)),
    );
    const admitted = results.filter((r) => r.ok);
    expect(admitted).toHaveLength(47); // 3 already delivered today
    const refusal = results.find((r) => !r.ok);
    expect(refusal && !refusal.ok && refusal.refusal).toMatchObject({ limit: "daily", max: 50, used: 50 });

    // Refused attempts hold nothing; releasing the admitted ones (as failures) frees them all.
    expect((await a.usage(requester, limits, NOON)).today.used).toBe(50);
    await Promise.all(admitted.map((r) => r.ok && b.release(r.reservation)));
    expect((await a.usage(requester, limits, NOON)).today.used).toBe(3);
  });

  it("refuses at the daily limit until local midnight, then admits again", async () => {
    const q = new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    const lateEvening = new Date("2026-11-26T16:59:00Z"); // 23:59 in Bangkok
    await delivered(requester, 10, "0", lateEvening);
    const refused = await q.reserve(requester, tier(), 0, lateEvening);
    expect(refused).toEqual({
      ok: false,
      refusal: {
        limit: "daily",
        tier: "Free",
        used: 10,
        max: 10,
        resetsAt: new Date("2026-11-26T17:00:00Z"),
      },
    });
    const afterMidnight = new Date("2026-11-26T17:00:01Z");
    expect((await q.reserve(requester, tier(), 0, afterMidnight)).ok).toBe(true);
  });

  it("applies a tier change at once and keeps today's count", async () => {
    const q = new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    await delivered(requester, 5);
    expect((await q.reserve(requester, tier({ dailyArticleLimit: 10 }), 0, NOON)).ok).toBe(true);
    const downgraded = await q.reserve(requester, tier({ name: "Tiny", dailyArticleLimit: 6 }), 0, NOON);
    expect(!downgraded.ok && downgraded.refusal).toMatchObject({
      limit: "daily",
      tier: "Tiny",
      used: 6,
      max: 6,
    });
    expect((await q.reserve(requester, tier({ name: "Pro", dailyArticleLimit: 100 }), 0, NOON)).ok).toBe(
      true,
    );
    expect(
      (await q.reserve(requester, tier({ name: "Enterprise", dailyArticleLimit: null }), 0, NOON)).ok,
    ).toBe(true);
  });

  it("refuses a burst and says when it frees up", async () => {
    const q = new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    const limits = tier({ burstPerMinute: 3, dailyArticleLimit: null });
    for (let i = 0; i < 3; i++) expect((await q.reserve(requester, limits, 0, NOON)).ok).toBe(true);
    const refused = await q.reserve(requester, limits, 0, NOON);
    expect(!refused.ok && refused.refusal.limit).toBe("burst");
    if (!refused.ok) {
      expect(refused.refusal.used).toBe(3);
      const waitMs = refused.refusal.resetsAt.getTime() - NOON.getTime();
      expect(waitMs).toBeGreaterThan(0);
      expect(waitMs).toBeLessThanOrEqual(60_000);
    }
  });

  it("holds the monthly budget exactly, counting what is in flight", async () => {
    const q = new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    await delivered(requester, 1, "4.90");
    const limits = tier({ dailyArticleLimit: null, monthlyBudgetUsd: "5.00" });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => q.reserve(requester, limits, 0.02, NOON)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(5); // 4.90 + 5 × 0.02 = 5.00
    const refused = results.find((r) => !r.ok);
    expect(!refused?.ok && refused?.refusal).toMatchObject({
      limit: "budget",
      max: 5,
      resetsAt: new Date("2026-11-30T17:00:00Z"),
    });
    expect(!refused?.ok && refused?.refusal.used).toBeCloseTo(5.0, 6);
  });

  it("reports the budget used before the refused request", async () => {
    const q = new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    await delivered(requester, 1, "4.99");
    const refused = await q.reserve(
      requester,
      tier({ dailyArticleLimit: null, monthlyBudgetUsd: "5.00" }),
      0.02,
      NOON,
    );
    expect(!refused.ok && refused.refusal.used).toBeCloseTo(4.99, 6);
  });

  it("when several limits refuse, reports the one that frees up last", async () => {
    const q = new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    await delivered(requester, 10, "5.00");
    const refused = await q.reserve(requester, tier({ monthlyBudgetUsd: "5.00" }), 0.01, NOON);
    expect(!refused.ok && refused.refusal.limit).toBe("budget"); // month end is later than midnight
  });

  it("keeps counting in memory when Redis is unreachable (insurance limiter)", async () => {
    const dead = connectRedis("redis://127.0.0.1:1"); // nothing listens on port 1
    redisClients.push(dead);
    const q = new Quotas({ db, redis: dead, timeZone: TZ, keyPrefix: prefix() });
    const requester = await newRequester();
    const limits = tier({ dailyArticleLimit: 2 });
    expect((await q.reserve(requester, limits, 0, NOON)).ok).toBe(true);
    expect((await q.reserve(requester, limits, 0, NOON)).ok).toBe(true);
    expect((await q.reserve(requester, limits, 0, NOON)).ok).toBe(false);
  });
});

describe("quotas in the embedded profile", () => {
  it("counts in memory with the same rules", async () => {
    const q = new Quotas({ db, redis: null, timeZone: TZ });
    const requester = await newRequester();
    await delivered(requester, 8);
    const results = await Promise.all(Array.from({ length: 5 }, () => q.reserve(requester, tier(), 0, NOON)));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    const first = results.find((r) => r.ok);
    if (first?.ok) await q.release(first.reservation);
    expect((await q.reserve(requester, tier(), 0, NOON)).ok).toBe(true);
  });

  it("holds an in-flight budget reservation while the article is written", async () => {
    // The in-memory limiter's timers overflow past 24.8 days; a month-long window once made
    // in-flight budget reservations vanish after a millisecond.
    const q = new Quotas({ db, redis: null, timeZone: TZ });
    const requester = await newRequester();
    const limits = tier({ dailyArticleLimit: null, monthlyBudgetUsd: "1.00" });
    expect((await q.reserve(requester, limits, 0.6, NOON)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const second = await q.reserve(requester, limits, 0.6, NOON);
    expect(!second.ok && second.refusal.limit).toBe("budget");
  });
});
