import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Browser,
  type ConsoleHarness,
  launchBrowser,
  PASSWORD,
  signIn,
  startConsoleHarness,
} from "./harness.ts";

/**
 * Budgets and accounts in a real browser: the overall caps and alert destinations saved on
 * Budgets, a workspace's caps on Workspaces, and a password changed on Accounts.
 */

let h: ConsoleHarness;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  h = await startConsoleHarness({ prefix: "ab_browser_budgets" });
  page = await browser.context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("budgets and accounts in the browser", () => {
  it("saves the overall budget and an alert email, then shows the budget on the Overview", async () => {
    await signIn(page, h.url, h.admin.email);
    await page.getByRole("link", { name: "Budgets", exact: true }).click();
    await page.getByLabel("Monthly budget (USD)").fill("250");
    await page.getByLabel("Email address").fill("finance@example.com");
    await page.getByRole("button", { name: "Save limits and alerts" }).click();
    await page.getByText("Overall limits and alerts saved").waitFor();
    await page.getByText("of $250.00").first().waitFor();
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByText("Overall budget used").waitFor();
    await page.getByText("of $250.00").first().waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("sets a workspace's caps on Workspaces", async () => {
    const tier = await h.app.db.prisma.tier.findFirstOrThrow();
    const t = await h.app.db.prisma.tenant.create({
      data: { platform: "SLACK", externalId: "Tcaps", name: "Caps Inc", defaultTierId: tier.id },
    });
    await page.goto(`${h.url}/workspaces?q=Caps`);
    await page.getByLabel("Daily article cap of Caps Inc").fill("12");
    await page.getByLabel("Monthly budget of Caps Inc").fill("30");
    await page.getByRole("button", { name: "Save caps" }).click();
    await page.getByText("Limits of Caps Inc saved").waitFor();
    expect(await h.app.db.prisma.tenant.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({
      dailyArticleLimit: 12,
    });
    await page.getByText("of $30.00 (0%)").waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("changes your own password on Accounts", async () => {
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill("another long password");
    await page.getByLabel("New password again").fill("another long password");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();
    await browser.context.clearCookies();
    await signIn(page, h.url, h.admin.email, "another long password");
    expect(pageErrors).toEqual([]);
  });
});
