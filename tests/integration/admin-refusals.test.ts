import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusalReasons } from "../../admin/app/limits.server.ts";
import { recordRefusal } from "../../core/records/generations.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/** The Limits view's "Refusals by limit": each refusal's own recorded limit, adding up to the rollups. */

let t: TestApp;
const day = (d: string) => new Date(`${d}T00:00:00Z`);
const TODAY = day("2026-11-20");
const MONTH = day("2026-11-01");

beforeAll(async () => {
  t = await openTestApp("ab_admin_refusals");
});
afterAll(async () => {
  await t?.close();
});

describe("refusals by the limit that refused them", () => {
  it("counts each recorded limit today and this month, and lists older unrecorded refusals apart", async () => {
    const p = t.app.db.prisma;
    const free = await p.tier.findUniqueOrThrow({ where: { name: "Free" } });
    const tenant = await p.tenant.create({
      data: { platform: "LINE", externalId: "U-refusals", name: "Refusals OA", defaultTierId: free.id },
    });
    const person = (externalId: string) =>
      p.requester.create({ data: { tenantId: tenant.id, platform: "LINE", externalId } });
    const [ann, ben] = [await person("ann"), await person("ben")];
    const refuse = (who: { id: string }, d: Date, limit: string) =>
      recordRefusal(t.app.db, {
        day: d,
        requesterId: who.id,
        tenantId: tenant.id,
        platform: "LINE",
        limit,
        tier: "Free",
      });
    await refuse(ann, TODAY, "daily");
    await refuse(ann, TODAY, "daily");
    await refuse(ann, day("2026-11-03"), "workspace_budget");
    await refuse(ben, TODAY, "overall_daily");
    await refuse(ben, day("2026-10-30"), "daily"); // last month: not counted
    // Two refusals counted by the rollup before refusals recorded their limit.
    await p.dailyUsage.update({
      where: { day_requesterId: { day: day("2026-11-03"), requesterId: ann.id } },
      data: { refusals: { increment: 2 } },
    });

    const { summary, rows } = await refusalReasons(t.app, MONTH, TODAY);
    const by = Object.fromEntries(summary.map((s) => [s.reason, s]));
    expect(by.daily).toMatchObject({ label: "Daily article limit", today: 2, month: 2, requesters: 1 });
    expect(by.workspace_budget).toMatchObject({ label: "Workspace's monthly budget", today: 0, month: 1 });
    expect(by.overall_daily).toMatchObject({ label: "Overall daily spend cap", today: 1, month: 1 });
    expect(by.unrecorded).toMatchObject({ today: 0, month: 2, requesters: 1 });
    // Everything adds up to the rollups' own count for the month.
    const rolled = await p.dailyUsage.aggregate({
      where: { tenantId: tenant.id, day: { gte: MONTH, lte: TODAY } },
      _sum: { refusals: true },
    });
    expect(summary.reduce((n, s) => n + s.month, 0)).toBe(rolled._sum.refusals);
    expect(rows.filter((r) => r.id === ben.id).map((r) => r.reason)).toEqual(["overall_daily"]);
  });
});
