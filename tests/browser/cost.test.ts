import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dayColumn } from "../../core/time.ts";
import { seedActivity } from "./fixture-data.ts";
import { type Browser, type ConsoleHarness, launchBrowser, signIn, startConsoleHarness } from "./harness.ts";

/**
 * The console's cost views in Debian's Chromium: the Overview's breakdown opening Generations
 * with its filter, the filter chips and totals there, the range picker's reversed range, and
 * the log's compact rows at phone width.
 */

let h: ConsoleHarness;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  h = await startConsoleHarness({ prefix: "ab_browser_cost" });
  await seedActivity(h.app);
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

describe("cost breakdown", () => {
  it("opens Generations filtered by the workspace whose bar was clicked, with a removable chip", async () => {
    await freshPage();
    await page.goto(`${h.url}/`);
    const breakdown = page.getByRole("region", { name: "Cost breakdown" });
    await breakdown.getByRole("link", { name: "Acme Consulting" }).click();
    await page.waitForURL(/\/generations\?.*workspace=/);
    const chip = page.getByRole("list", { name: "Active filters" });
    await chip.getByText("Workspace: Acme Consulting (Slack)").waitFor();
    const workspaces = await page.locator("td[data-label=Requester] .sub a").allTextContents();
    expect(workspaces.length).toBeGreaterThan(0);
    expect(new Set(workspaces)).toEqual(new Set(["Acme Consulting"]));
    await expect.poll(() => page.getByTestId("totals").textContent()).toMatch(/ for these filters$/);

    await page.getByRole("link", { name: "Remove filter Workspace: Acme Consulting (Slack)" }).click();
    await page.waitForURL((u) => !u.searchParams.has("workspace"));
    // The URL changes before the new page's data arrives: wait for the chip to go.
    await expect.poll(() => page.getByText(/^Workspace: /).count()).toBe(0);
    // The range the bar was for stays, as its own chip.
    expect(await chip.getByText(/^From \d{4}-\d{2}-\d{2}/).count()).toBe(1);
  });

  it("opens Generations by model, and says so when the chosen range is reversed", async () => {
    await freshPage();
    await page.goto(`${h.url}/`);
    const breakdown = page.getByRole("region", { name: "Cost breakdown" });
    await breakdown.getByRole("link", { name: "gpt-4o-mini" }).click();
    await page.waitForURL(/model=gpt-4o-mini/);
    await page.getByText("Model: gpt-4o-mini").waitFor();

    await page.goto(`${h.url}/`);
    await page.getByLabel("From").fill("2026-11-20");
    await page.getByLabel("To").fill("2026-11-02");
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByText("The range starts (2026-11-20) after it ends (2026-11-02)").waitFor();
  });
});

describe("limits", () => {
  it("lists who is near a limit and who was refused, and resets today's quota inline", async () => {
    const p = h.app.db.prisma;
    // The LINE channel defaults to Free: 10 articles a day.
    const line = await p.tenant.findFirstOrThrow({ where: { externalId: "U-line-channel" } });
    const day = dayColumn(new Date(), h.app.config.quotaTimeZone);
    const person = async (externalId: string, displayName: string, articles: number, refusals: number) => {
      const r = await p.requester.create({
        data: { tenantId: line.id, platform: "LINE", externalId, displayName },
      });
      await p.dailyUsage.create({
        data: { day, requesterId: r.id, tenantId: line.id, platform: "LINE", articles, refusals },
      });
      return r;
    };
    const nina = await person("U-nina", "Near Nina", 9, 0);
    const ray = await person("U-ray", "Refused Ray", 10, 2);

    await freshPage();
    // The row buttons are fetchers: wait for the scripts, or a click before hydration is a plain POST.
    await page.goto(`${h.url}/limits`, { waitUntil: "networkidle" });
    const near = page.getByRole("region", {
      name: "At or above 80 % of their daily limit or monthly budget",
    });
    const ninaRow = near.locator(`tr[data-requester="${nina.id}"]`);
    expect(await ninaRow.locator("td[data-label=Today]").textContent()).toBe("9 of 1090%");
    const refused = page.getByRole("region", { name: "Refused today" });
    expect(
      await refused.locator(`tr[data-requester="${ray.id}"] td[data-label=Refused] `).textContent(),
    ).toMatch(/^2 today · 2 this month/);

    await ninaRow.getByRole("button", { name: "Reset today" }).click();
    await page.getByText("Today's quota reset: 9 delivered articles no longer count today.").waitFor();
    // The page reloads its data: Nina is no longer near her limit.
    await expect.poll(() => near.locator(`tr[data-requester="${nina.id}"]`).count()).toBe(0);
    const audit = await p.auditLog.findMany({
      where: { action: "requester.quota.reset", entityId: nina.id },
    });
    expect(audit).toHaveLength(1);

    const rayRow = refused.locator(`tr[data-requester="${ray.id}"]`);
    const pro = await p.tier.findUniqueOrThrow({ where: { name: "Pro" } });
    await rayRow.getByLabel("Tier for Refused Ray").selectOption(pro.id);
    await rayRow.getByRole("button", { name: "Change tier" }).click();
    await expect
      .poll(async () => (await p.requester.findUniqueOrThrow({ where: { id: ray.id } })).tierId)
      .toBe(pro.id);
  });
});

describe("phone width", () => {
  it("keeps the generations log to short rows, not tall cards", async () => {
    await freshPage(390, 844);
    await page.goto(`${h.url}/generations`);
    const heights = await page
      .locator(".rtable.compact tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
    expect(heights.length).toBe(30);
    // A card of eight labelled lines is about 290 px; a compact row is a topic and one line.
    expect(Math.max(...heights)).toBeLessThan(110);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
  }, 60_000);
});
