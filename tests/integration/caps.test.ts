import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusalMessage as lineRefusal } from "../../bot/line/copy.ts";
import { refusalMessage as slackRefusal } from "../../bot/slack/copy.ts";
import type { Database } from "../../core/db/client.ts";
import type { ArticleJob, JobQueue } from "../../core/jobs/queue.ts";
import { type AcceptResult, acceptRequest } from "../../core/pipeline/accept.ts";
import { type CapDefaults, NO_CAPS } from "../../core/quota/caps.ts";
import { type QuotaExceeded, type QuotaLimit, Quotas } from "../../core/quota/quotas.ts";
import { Catalog } from "../../core/records/catalog.ts";
import { connectRedis, type Redis } from "../../core/redis.ts";
import { dayColumn } from "../../core/time.ts";
import { type OpenedTestDatabase, openTestDatabase, REDIS_URL } from "../helpers/services.ts";

/** Workspace and overall caps, checked in the accept path with the requester's own quota. */

const TZ = "Asia/Bangkok";
const NOON = new Date("2026-12-10T05:00:00Z"); // 12:00 in Bangkok

let opened: OpenedTestDatabase;
let db: Database;
const clients: Redis[] = [];
let freeTierId = "";

async function redis(): Promise<Redis> {
  const client = connectRedis(REDIS_URL);
  await client.connect().catch((error: Error) => {
    throw new Error(
      `Redis is not reachable at ${REDIS_URL} (${error.message}); start it or set TEST_REDIS_URL.`,
    );
  });
  clients.push(client);
  return client;
}

const jobs: ArticleJob[] = [];
const queue: JobQueue = {
  kind: "database",
  enqueue: async (job) => void jobs.push(job),
  process: () => undefined,
  depth: async () => 0,
  close: async () => undefined,
};

const hex = () => randomBytes(4).toString("hex");

function accept(quotas: Quotas, tenant: string, user: string): Promise<AcceptResult> {
  return acceptRequest(
    // A fresh catalog each time: every accept reads tiers and limits as the database holds them.
    { db, quotas, queue, catalog: new Catalog(db), timeZone: TZ, defaultModel: "gpt-4o-mini" },
    {
      platform: "LINE",
      eventId: `ev-${hex()}`,
      tenant: { externalId: tenant },
      requester: { externalId: user },
      input: { kind: "text", text: "Write an article about digital transformation in retail banking" },
      destination: { platform: "CONSOLE", conversation: `c-${hex()}` },
    },
    NOON,
  );
}

/** A workspace that exists (its first requester asked once), with what it already used today. */
async function workspace(
  limits: { dailyArticleLimit?: number; monthlyBudgetUsd?: string },
  used = 0,
  usd = "0",
) {
  const ext = `C-${hex()}`;
  const tenant = await db.prisma.tenant.create({
    data: { platform: "LINE", externalId: ext, defaultTierId: freeTierId, ...limits },
  });
  if (used || usd !== "0") {
    const r = await db.prisma.requester.create({
      data: { tenantId: tenant.id, platform: "LINE", externalId: `U-${hex()}` },
    });
    await db.prisma.dailyUsage.create({
      data: {
        day: dayColumn(NOON, TZ),
        requesterId: r.id,
        tenantId: tenant.id,
        platform: "LINE",
        articles: used,
        costUsd: usd,
      },
    });
    await db.prisma.dailyTenantUsage.create({
      data: { day: dayColumn(NOON, TZ), tenantId: tenant.id, articles: used, costUsd: usd },
    });
  }
  return { ext, id: tenant.id };
}

const quotas = async (caps: CapDefaults = NO_CAPS, keyPrefix = `ab:test:${hex()}`) =>
  new Quotas({ db, redis: await redis(), timeZone: TZ, keyPrefix, caps });

const limitOf = (r: AcceptResult) => (r.kind === "refused" ? r.refusal.limit : r.kind);

beforeAll(async () => {
  opened = await openTestDatabase("postgres");
  db = opened.db;
  await db.migrate();
  const free = await db.prisma.tier.create({
    data: { name: "Free", dailyArticleLimit: 100, burstPerMinute: 1000, maxWords: 1500 },
  });
  freeTierId = free.id;
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await opened?.cleanup();
});

describe("workspace and overall caps", () => {
  it("two accepts racing the last slot of a workspace's daily cap from two processes: exactly one wins", async () => {
    const keyPrefix = `ab:test:${hex()}`;
    const [a, b] = [await quotas(NO_CAPS, keyPrefix), await quotas(NO_CAPS, keyPrefix)];
    for (let round = 0; round < 10; round++) {
      const w = await workspace({ dailyArticleLimit: 3 }, 2);
      const results = await Promise.all([accept(a, w.ext, `U-a-${round}`), accept(b, w.ext, `U-b-${round}`)]);
      expect(results.map(limitOf).sort()).toEqual(["queued", "workspace_daily"]);
      const refusals = await db.prisma.quotaRefusal.findMany({ where: { tenantId: w.id } });
      expect(refusals.map((r) => r.limit)).toEqual(["workspace_daily"]);
    }
  });

  it("gives a released reservation's workspace slot back, and a later accept takes it", async () => {
    const q = await quotas();
    const w = await workspace({ dailyArticleLimit: 1 });
    const first = await accept(q, w.ext, "U-1");
    expect(first.kind).toBe("queued");
    expect(limitOf(await accept(q, w.ext, "U-2"))).toBe("workspace_daily");
    const job = jobs.find((j) => first.kind === "queued" && j.generationId === first.generationId);
    expect(job?.reservation?.held).toEqual([["day", expect.stringContaining(`tenant:${w.id}:`), 1]]);
    await q.release(job!.reservation!); // the article failed: nothing was delivered
    expect((await accept(q, w.ext, "U-2")).kind).toBe("queued");
  });

  it("names each limit that refuses, on the refusal row and in both platforms' copy", async () => {
    const expectRefused = async (q: Quotas, tenant: string, limit: QuotaLimit) => {
      const result = await accept(q, tenant, `U-${hex()}`);
      expect(limitOf(result)).toBe(limit);
      const row = await db.prisma.quotaRefusal.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
      expect(row.limit).toBe(limit);
      return result.kind === "refused" ? result.refusal : null;
    };
    const shown: Array<[QuotaLimit, QuotaExceeded]> = [];
    const plain = await quotas();

    // The requester's own tier: daily and monthly budget.
    const tight = await db.prisma.tier.create({
      data: { name: `t-${hex()}`, dailyArticleLimit: 0, burstPerMinute: 1000, maxWords: 1500 },
    });
    const broke = await db.prisma.tier.create({
      data: { name: `b-${hex()}`, burstPerMinute: 1000, maxWords: 1500, monthlyBudgetUsd: "0.00" },
    });
    const w1 = await workspace({});
    await db.prisma.tenant.update({ where: { id: w1.id }, data: { defaultTierId: tight.id } });
    shown.push(["daily", (await expectRefused(plain, w1.ext, "daily"))!]);
    await db.prisma.tenant.update({ where: { id: w1.id }, data: { defaultTierId: broke.id } });
    shown.push(["budget", (await expectRefused(plain, w1.ext, "budget"))!]);

    // The workspace's own caps.
    shown.push([
      "workspace_daily",
      (await expectRefused(plain, (await workspace({ dailyArticleLimit: 0 })).ext, "workspace_daily"))!,
    ]);
    const spent = await workspace({ monthlyBudgetUsd: "5.00" }, 1, "5.00");
    shown.push(["workspace_budget", (await expectRefused(plain, spent.ext, "workspace_budget"))!]);

    // Overall: everyone's spend (every priced call, DailyModelUsage) is $5 today.
    await db.prisma.dailyModelUsage.create({
      data: { day: dayColumn(NOON, TZ), model: "gpt-4o", operation: "CHAT", calls: 1, costUsd: "5.00" },
    });
    const daily = await quotas({ ...NO_CAPS, overallDailySpendUsd: 5 });
    shown.push(["overall_daily", (await expectRefused(daily, (await workspace({})).ext, "overall_daily"))!]);
    const monthly = await quotas({ ...NO_CAPS, overallMonthlyBudgetUsd: 5 });
    shown.push([
      "overall_budget",
      (await expectRefused(monthly, (await workspace({})).ext, "overall_budget"))!,
    ]);

    for (const lang of ["en", "th"] as const) {
      const slack = shown.map(([, r]) => slackRefusal(r, lang).text);
      const line = shown.map(([, r]) => {
        const m = lineRefusal(r, lang, TZ, NOON);
        return m.type === "text" ? m.text : "";
      });
      expect(new Set(slack).size).toBe(shown.length);
      expect(new Set(line).size).toBe(shown.length);
    }
    const byLimit = Object.fromEntries(shown);
    expect(slackRefusal(byLimit.workspace_daily!, "en").text).toContain(
      "Your workspace has used all 0 articles",
    );
    expect(slackRefusal(byLimit.overall_budget!, "en").text).toContain("overall budget for this month");
    const lineText = lineRefusal(byLimit.workspace_budget!, "en", TZ, NOON);
    expect(lineText.type === "text" && lineText.text).toContain("this LINE account's monthly article budget");
  });

  it("a console value wins over the environment default; without one the default applies", async () => {
    const envCap = await quotas({ ...NO_CAPS, overallMonthlyBudgetUsd: 1_000_000 });
    expect((await accept(envCap, (await workspace({})).ext, "U-1")).kind).toBe("queued");
    await db.prisma.limitSettings.create({ data: { id: "global", monthlyBudgetUsd: "1.00" } });
    try {
      expect(limitOf(await accept(envCap, (await workspace({})).ext, "U-1"))).toBe("overall_budget");
    } finally {
      await db.prisma.limitSettings.delete({ where: { id: "global" } });
    }
    // The workspace's own column beats TENANT_DAILY_ARTICLE_LIMIT.
    const tenantDefault = await quotas({ ...NO_CAPS, tenantDailyArticles: 0 });
    expect(limitOf(await accept(tenantDefault, (await workspace({})).ext, "U-1"))).toBe("workspace_daily");
    expect((await accept(tenantDefault, (await workspace({ dailyArticleLimit: 5 })).ext, "U-1")).kind).toBe(
      "queued",
    );
  });

  it("a revision takes no workspace article slot but counts against the workspace budget", async () => {
    const q = await quotas();
    const w = await workspace({ dailyArticleLimit: 0, monthlyBudgetUsd: "100.00" });
    const tenant = { id: w.id, dailyArticleLimit: 0, monthlyBudgetUsd: "100.00" };
    const tier = { name: "Free", dailyArticleLimit: null, burstPerMinute: 1000, monthlyBudgetUsd: null };
    const r = await q.reserve("someone", tier, 0.5, NOON, { articleSlot: false, tenant });
    expect(r.ok && r.reservation.held).toEqual([
      ["budget", expect.stringContaining(`tenant:${w.id}:2026-12`), 500_000],
    ]);
  });

  it("counts in memory with the same rules in the embedded profile", async () => {
    const q = new Quotas({ db, redis: null, timeZone: TZ, caps: NO_CAPS });
    const w = await workspace({ dailyArticleLimit: 1 });
    expect((await accept(q, w.ext, "U-1")).kind).toBe("queued");
    expect(limitOf(await accept(q, w.ext, "U-2"))).toBe("workspace_daily");
  });
});
