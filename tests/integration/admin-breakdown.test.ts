import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCostBreakdown, readCostRange } from "../../admin/app/breakdown.server.ts";
import { loadOverview } from "../../admin/app/overview.server.ts";
import type { Platform } from "../../core/db/client.ts";
import { createGeneration, recordWritten } from "../../core/records/generations.ts";
import { sumTenantUsage } from "../helpers/rollups.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * The Overview's cost breakdown against totals worked out by hand from a few rollup rows:
 * three requesters in two workspaces on three tiers, three models, rows inside the range, in
 * the previous period of the same length, and outside both.
 */

let t: TestApp;
// 12:00 in Bangkok on 20 November: this month so far is 1–20 November, 20 of 30 days.
const NOW = new Date("2026-11-20T05:00:00Z");
const day = (d: string) => new Date(`${d}T00:00:00Z`);

beforeAll(async () => {
  t = await openTestApp("ab_admin_breakdown", () => ({ TZ_QUOTA: "Asia/Bangkok" }));
  const p = t.app.db.prisma;
  const tier = async (name: string) => (await p.tier.findUniqueOrThrow({ where: { name } })).id;
  const [free, pro, enterprise] = [await tier("Free"), await tier("Pro"), await tier("Enterprise")];
  const acme = await p.tenant.create({
    data: { platform: "SLACK", externalId: "T-ACME", name: "Acme", defaultTierId: pro },
  });
  const line = await p.tenant.create({
    data: { platform: "LINE", externalId: "U-channel", name: "", defaultTierId: free },
  });
  const person = (tenantId: string, platform: "SLACK" | "LINE", externalId: string, tierId?: string) =>
    p.requester.create({ data: { tenantId, platform, externalId, displayName: externalId, tierId } });
  const ana = await person(acme.id, "SLACK", "ana", enterprise);
  const bo = await person(acme.id, "SLACK", "bo");
  const chai = await person(line.id, "LINE", "chai");
  const usage = (
    d: string,
    r: { id: string; tenantId: string; platform: Platform },
    cost: string,
    articles: number,
    latencyBuckets: number[] = [],
  ) => ({
    day: day(d),
    requesterId: r.id,
    tenantId: r.tenantId,
    platform: r.platform,
    costUsd: cost,
    articles,
    latencyBuckets,
  });
  await p.dailyUsage.createMany({
    data: [
      usage("2026-11-05", ana, "1.25", 2),
      usage("2026-11-18", ana, "0.50", 1),
      usage("2026-10-25", ana, "2.00", 3), // previous period
      usage("2026-11-10", bo, "0.75", 4, [0, 0, 0, 0, 4]), // four drafts in 4–5 s
      usage("2026-11-20", chai, "0.10", 1),
      usage("2026-10-31", chai, "0.40", 1), // previous period
      usage("2026-10-11", chai, "7.00", 9), // before the previous period
    ],
  });
  await sumTenantUsage(p); // what the writers would have added to each workspace's day
  const model = (d: string, name: string, operation: "CHAT" | "EMBEDDING", cost: string, calls: number) => ({
    day: day(d),
    model: name,
    operation,
    costUsd: cost,
    calls,
    inputTokens: BigInt(calls * 100),
    outputTokens: BigInt(calls * 10),
  });
  await p.dailyModelUsage.createMany({
    data: [
      model("2026-11-05", "gpt-4o", "CHAT", "2.00", 3),
      model("2026-11-10", "gpt-4o-mini", "CHAT", "0.50", 10),
      model("2026-11-11", "gpt-4o-mini", "CHAT", "0.25", 5),
      model("2026-11-10", "text-embedding-3-small", "EMBEDDING", "0.10", 2),
      model("2026-10-20", "gpt-4o", "CHAT", "5.00", 9), // outside the range
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

const url = (q: string) => new URL(`http://console/?${q}`);

describe("cost breakdown", () => {
  it("sums this month by workspace, tier and model, beside the previous period and a projection", async () => {
    const range = readCostRange(url(""), NOW, "Asia/Bangkok");
    expect(range).toEqual({ from: "2026-11-01", to: "2026-11-20", problem: null });
    const b = await loadCostBreakdown(t.app, range, NOW);
    expect(b.totals).toEqual({ costUsd: 2.6, articles: 8 });
    // 20 days before 1 November: 12–31 October.
    expect(b.previous).toEqual({ from: "2026-10-12", to: "2026-10-31", costUsd: 2.4, articles: 4 });
    expect(b.month).toEqual({ spentUsd: 2.6, projectedUsd: 3.9, daysElapsed: 20, daysInMonth: 30 });
    expect(b.byWorkspace.map((r) => [r.label, r.sub, r.costUsd, r.articles])).toEqual([
      ["Acme", "SLACK", 2.5, 7],
      ["U-channel", "LINE", 0.1, 1],
    ]);
    expect(b.byTier.map((r) => [r.label, r.costUsd, r.articles])).toEqual([
      ["Enterprise", 1.75, 3],
      ["Pro", 0.75, 4],
      ["Free", 0.1, 1],
    ]);
    // Ranked by cost, not tokens: gpt-4o-mini made more calls and tokens but cost less.
    expect(b.byModel.map((r) => [r.label, r.costUsd, r.articles, r.sub])).toEqual([
      ["gpt-4o", 2, 3, "330 tokens"],
      ["gpt-4o-mini", 0.75, 15, "1650 tokens"],
      ["text-embedding-3-small", 0.1, 2, "220 tokens"],
    ]);
  });

  it("honours a chosen range and refuses a reversed one with a reason", async () => {
    const b = await loadCostBreakdown(
      t.app,
      readCostRange(url("from=2026-11-10&to=2026-11-18"), NOW, "Asia/Bangkok"),
      NOW,
    );
    expect(b.totals).toEqual({ costUsd: 1.25, articles: 5 });
    expect(b.previous).toMatchObject({ from: "2026-11-01", to: "2026-11-09", costUsd: 1.25, articles: 2 });
    const reversed = readCostRange(url("from=2026-11-18&to=2026-11-10"), NOW, "Asia/Bangkok");
    expect(reversed).toEqual({
      from: "2026-11-01",
      to: "2026-11-20",
      problem: "The range starts (2026-11-18) after it ends (2026-11-10): showing this month instead.",
    });
  });

  it("counts a late delivery at once (written with its rollups), and the Overview agrees", async () => {
    const p = t.app.db.prisma;
    const range = readCostRange(url(""), NOW, "Asia/Bangkok");
    expect((await loadCostBreakdown(t.app, range, NOW)).totals).toEqual({ costUsd: 2.6, articles: 8 });
    const bo = await p.requester.findFirstOrThrow({ where: { externalId: "bo" } });
    // A late delivery for 10 November: $0.25 (100,000 gpt-4o input tokens at $2.50 per million)
    // and one article in 5–6 s, so 10 November is $0.75 + $0.25 and 4 + 1 articles.
    const g = await createGeneration(t.app.db, {
      requestKey: "late-delivery",
      tenantId: bo.tenantId,
      requesterId: bo.id,
      platform: "SLACK",
      request: {
        topic: "Late",
        industry: null,
        audience: "executives",
        targetWords: 300,
        keywords: [],
        language: "en",
        tone: "executive",
      },
      day: day("2026-11-10"),
    });
    await recordWritten(t.app.db, g.id, {
      model: "gpt-4o",
      usage: [{ operation: "CHAT", model: "gpt-4o", inputTokens: 100_000, outputTokens: 0 }],
      draft: "x",
      words: 1,
      latencyMs: 5_500,
      firstChunkMs: null,
      sources: [],
      cacheHit: false,
    });
    const b = await loadCostBreakdown(t.app, range, NOW);
    expect(b.totals).toEqual({ costUsd: 2.85, articles: 9 });
    expect(b.byWorkspace.map((r) => [r.label, r.costUsd, r.articles])).toEqual([
      ["Acme", 2.75, 8],
      ["U-channel", 0.1, 1],
    ]);
    const o = await loadOverview(t.app, NOW);
    expect([o.month.articles, o.month.costUsd]).toEqual([9, 2.85]);
    expect([o.today.articles, o.today.costUsd]).toEqual([1, 0.1]);
    // Five latencies on 10 November, four in the 4–5 s bucket and one in 5–6 s: p50 4.625 s.
    expect(o.latencyPerDay.find((d) => d.day === "2026-11-10")).toEqual({
      day: "2026-11-10",
      p50Ms: 4625,
      p95Ms: 5750,
    });
  });
});
