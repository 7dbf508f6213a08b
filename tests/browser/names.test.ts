import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../core/db/client.ts";
import { dayColumn, startOfLocalMonth } from "../../core/time.ts";
import { type Activity, seedActivity } from "./fixture-data.ts";
import { type Browser, type ConsoleHarness, launchBrowser, signIn, startConsoleHarness } from "./harness.ts";

/**
 * Names, sorting and "what it cost and why" in Debian's Chromium: renaming a LINE channel (and
 * the audit log's readable summary of it), Requesters sorted by spend, a generation's page with
 * the price applied, the tier at the time and the message as typed, drafts grouped with their
 * versions, and the new views at phone width without sideways scrolling.
 */

let h: ConsoleHarness;
let browser: Browser;
let page: Page;
let activity: Activity;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  h = await startConsoleHarness({ prefix: "ab_browser_names" });
  activity = await seedActivity(h.app);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function freshPage(width = 1280, height = 860): Promise<Page> {
  await page?.close();
  page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await browser.context.clearCookies();
  await signIn(page, h.url, h.admin.email);
  return page;
}
afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

describe("names", () => {
  it("renames a LINE channel, and the audit log names it and says what changed", async () => {
    await freshPage();
    const line = await h.app.db.prisma.tenant.findFirstOrThrow({ where: { platform: "LINE" } });
    await page.goto(`${h.url}/workspaces`);
    const field = page.getByLabel(`Name of ${line.name || line.externalId}`);
    await field.fill("Bangkok Clients");
    await field.locator("xpath=..").getByRole("button", { name: "Rename" }).click();
    await page.getByText(/is now called Bangkok Clients\./).waitFor();
    expect((await h.app.db.prisma.tenant.findUniqueOrThrow({ where: { id: line.id } })).name).toBe(
      "Bangkok Clients",
    );

    await page.goto(`${h.url}/audit`);
    const entry = page.locator(".audit-entry").filter({ hasText: "workspace.rename" });
    await entry.getByText("Bangkok Clients", { exact: true }).waitFor();
    expect(await entry.locator(".audit-changes li").allTextContents()).toEqual([
      `name ${line.name || "none"} → Bangkok Clients`,
    ]);
  });

  it("sorts requesters by spend this month, most first", async () => {
    await freshPage();
    const tz = h.app.config.quotaTimeZone;
    const now = new Date();
    const spend = await h.app.db.prisma.dailyUsage.groupBy({
      by: ["requesterId"],
      where: { day: { gte: startOfLocalMonth(now, tz).column, lte: dayColumn(now, tz) } },
      _sum: { costUsd: true },
    });
    const top = spend.sort((a, b) => Number(b._sum.costUsd ?? 0) - Number(a._sum.costUsd ?? 0))[0]!;
    const name = (await h.app.db.prisma.requester.findUniqueOrThrow({ where: { id: top.requesterId } }))
      .displayName;
    await page.goto(`${h.url}/requesters`);
    await page.getByLabel("Sort by").selectOption("month-spend");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/sort=month-spend/);
    await expect.poll(() => page.locator("td[data-label=Requester] a").first().textContent()).toBe(name);
  });
});

describe("what it cost and why", () => {
  it("shows the price applied, the tier at the time and the message as typed", async () => {
    await freshPage();
    const r = await h.app.db.prisma.requester.findUniqueOrThrow({
      where: { id: activity.slackRequesters[0]! },
    });
    const g = await h.app.db.prisma.generation.create({
      data: {
        requestKey: "cost-why",
        tenantId: r.tenantId,
        requesterId: r.id,
        platform: "SLACK",
        status: "DELIVERED",
        topic: "AI in retail",
        language: "en",
        targetWords: 600,
        model: "gpt-4o-mini",
        tierName: "Pro",
        rawText: "write about AI in retail for executives, 600 words",
        inputTokens: 1000,
        outputTokens: 2000,
        costUsd: new Prisma.Decimal("0.00135"),
        request: { topic: "AI in retail", keywords: [] },
        day: dayColumn(new Date(), h.app.config.quotaTimeZone),
        tokenUsage: {
          create: [
            {
              operation: "CHAT",
              model: "gpt-4o-mini",
              inputTokens: 1000,
              outputTokens: 2000,
              costUsd: new Prisma.Decimal("0.00135"),
              inputPerMTokUsd: new Prisma.Decimal("0.15"),
              outputPerMTokUsd: new Prisma.Decimal("0.6"),
            },
          ],
        },
      },
    });
    await page.goto(`${h.url}/generations/${g.id}`);
    const why = page.getByRole("region", { name: "What it cost and why" });
    await why.getByText("write about AI in retail for executives, 600 words").waitFor();
    await why.getByText("Pro", { exact: true }).waitFor();
    await why.getByText("gpt-4o-mini: $0.15 / $0.60 per 1M tokens in / out").waitFor();
    await page.getByRole("cell", { name: "$0.15 / $0.60" }).waitFor();
  });
});

describe("playground revisions", () => {
  it("revises the draft it just wrote and shows v2 under v1, linked as a version of the same draft", async () => {
    await freshPage();
    await page.goto(`${h.url}/playground`);
    await page.getByLabel("Ask as").fill("Reviser");
    await page.getByLabel("On tier").selectOption({ label: "Enterprise — unlimited, up to 4,000 words" });
    await page.getByLabel("Message").fill("write an article about AI in retail for executives, 600 words");
    await page.getByRole("button", { name: "Request article" }).click();
    await page.waitForURL(/\/playground\?g=/);
    await page.getByTestId("summary").waitFor({ timeout: 60_000 });
    await page.getByLabel("Revise this draft").fill("make it shorter");
    await page.getByRole("button", { name: "Revise" }).click();
    await page.getByRole("heading", { name: "v2 — “make it shorter”" }).waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "v1" }).waitFor();
    await expect.poll(() => page.getByTestId("summary").count(), { timeout: 60_000 }).toBe(2);
    const [v1, v2] = await h.app.db.prisma.generation.findMany({
      where: { requester: { displayName: "Reviser" } },
      orderBy: { createdAt: "asc" },
    });
    expect(v2).toMatchObject({ revisesId: v1!.id, draftId: v1!.draftId, instruction: "make it shorter" });
    expect(v1!.draftId).not.toBeNull();
    expect(v2!.status).toBe("DELIVERED");

    // Grouped by draft, the log lists the draft once with v2 under it.
    await page.goto(`${h.url}/generations?group=draft&q=AI%20in%20retail`);
    await page
      .locator("tr[data-version='2']")
      .getByText("↳ v2 “make it shorter”", { exact: false })
      .waitFor();
  });
});

describe("at phone width", () => {
  it("shows Limits, Workspaces, Requesters by use, grouped Generations, Audit and a generation without sideways scrolling", async () => {
    await freshPage(390, 844);
    for (const path of [
      "/limits",
      "/workspaces",
      "/requesters?sort=today",
      "/generations?group=draft",
      "/audit",
      `/generations/${activity.generations[0]}`,
      "/cache",
    ]) {
      await page.goto(`${h.url}${path}`);
      await page.locator("h1").first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
    }
  });
});
