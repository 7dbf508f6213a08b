import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monthlyBudgets, projectMonthEnd } from "../../core/budget/budgets.ts";
import { BudgetWatch } from "../../core/budget/watch.ts";
import { loadConfig } from "../../core/config.ts";
import type { Database } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { dayColumn } from "../../core/time.ts";
import { type FakeSmtp, startFakeSmtp } from "../fakes/smtp.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

/**
 * Budget alerts wired to the real budgets: a workspace's and the overall monthly budget, read
 * from the rollups, sent once per threshold per period to a local Slack-webhook fake and a
 * local SMTP fake, even with two processes checking at once.
 */

const TZ = "Asia/Bangkok";
const MID_MONTH = new Date("2026-12-16T05:00:00Z");

let opened: OpenedTestDatabase;
let db: Database;
let smtp: FakeSmtp;
let server: http.Server;
let webhookUrl = "";
const posted: unknown[] = [];
let tenantId = "";
let requesterId = "";

const config = () =>
  loadConfig({
    TZ_QUOTA: TZ,
    SMTP_URL: smtp.url,
    ALERT_EMAIL_FROM: "bot@example.com",
    GLOBAL_MONTHLY_BUDGET_USD: "40",
  });
const app = () => ({ db, config: config(), logger: createLogger("silent") });
/** What a delivery writes: the requester's, the workspace's and the model's rollups. */
async function spend(usd: string) {
  const day = dayColumn(MID_MONTH, TZ);
  await db.prisma.dailyUsage.upsert({
    where: { day_requesterId: { day, requesterId } },
    create: { day, requesterId, tenantId, platform: "SLACK", articles: 1, costUsd: usd },
    update: { costUsd: usd },
  });
  await db.prisma.dailyTenantUsage.upsert({
    where: { tenantId_day: { tenantId, day } },
    create: { day, tenantId, articles: 1, costUsd: usd },
    update: { costUsd: usd },
  });
  await db.prisma.dailyModelUsage.upsert({
    where: { day_model_operation: { day, model: "gpt-4o", operation: "CHAT" } },
    create: { day, model: "gpt-4o", operation: "CHAT", calls: 1, costUsd: usd },
    update: { costUsd: usd },
  });
}

beforeAll(async () => {
  opened = await openTestDatabase("postgres");
  db = opened.db;
  await db.migrate();
  smtp = await startFakeSmtp();
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      posted.push(JSON.parse(body));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/X`;
  const tier = await db.prisma.tier.create({ data: { name: "Pro", burstPerMinute: 10, maxWords: 800 } });
  const tenant = await db.prisma.tenant.create({
    data: {
      platform: "SLACK",
      externalId: "T1",
      name: "Acme Consulting",
      defaultTierId: tier.id,
      monthlyBudgetUsd: "10.00",
    },
  });
  tenantId = tenant.id;
  requesterId = (
    await db.prisma.requester.create({ data: { tenantId, platform: "SLACK", externalId: "U1" } })
  ).id;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await smtp?.close();
  await opened?.cleanup();
});

describe("budget alerts wired to the budgets", () => {
  it("claims nothing while no destination is set, then sends each threshold once per period, from two processes", async () => {
    await spend("8.50");
    const now = () => MID_MONTH;
    expect(await new BudgetWatch(app()).check(now)).toEqual([]);
    expect(await db.prisma.budgetAlert.count()).toBe(0);

    await db.prisma.limitSettings.create({
      data: { id: "global", alertWebhookUrl: webhookUrl, alertEmail: "admins@example.com" },
    });
    const [a, b] = [new BudgetWatch(app()), new BudgetWatch(app())];
    const first = await Promise.all([a.check(now), b.check(now)]);
    expect(first.flat()).toEqual([{ key: `tenant:${tenantId}`, period: "2026-12", threshold: 0.8 }]);
    expect(await a.check(now)).toEqual([]);

    await spend("10.20"); // the workspace is over; overall $10.20 of $40 is not yet at 80 %
    expect(await b.check(now)).toEqual([{ key: `tenant:${tenantId}`, period: "2026-12", threshold: 1 }]);
    await spend("33.00");
    expect(await a.check(now)).toEqual([{ key: "global", period: "2026-12", threshold: 0.8 }]);
    expect(await a.check(now)).toEqual([]);

    expect(posted).toEqual([
      { text: "Budget at 85 %: Acme Consulting has spent $8.50 of $10.00 in 2026-12." },
      { text: "Budget reached: Acme Consulting has spent $10.20 of $10.00 in 2026-12 (102 %)." },
      { text: "Budget at 83 %: All workspaces has spent $33.00 of $40.00 in 2026-12." },
    ]);
    expect(smtp.messages.map((m) => ({ from: m.from, to: m.to }))).toEqual(
      Array.from({ length: 3 }, () => ({ from: "bot@example.com", to: ["admins@example.com"] })),
    );
    expect(smtp.messages[0]!.data).toContain("Subject: Budget at 85 %");
    expect(smtp.messages[0]!.data).toContain("Acme Consulting has spent $8.50 of $10.00 in 2026-12.");
  });

  it("reads each budget as used/limit with a month-end projection", async () => {
    const report = await monthlyBudgets(db, config().caps, TZ, MID_MONTH);
    expect(report.overall).toMatchObject({ spentUsd: 33, limitUsd: 40 });
    expect(report.workspaces).toEqual([
      {
        id: tenantId,
        label: "Acme Consulting",
        spentUsd: 33,
        limitUsd: 10,
        own: true,
        projectedUsd: expect.any(Number),
      },
    ]);
    // Noon on the 16th in Bangkok: 15.5 of 31 days elapsed, so the pace doubles the spend.
    expect(projectMonthEnd(33, MID_MONTH, TZ)).toBeCloseTo(66, 6);
  });
});
