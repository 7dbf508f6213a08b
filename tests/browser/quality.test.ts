import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { castVote } from "../../core/quality/feedback.ts";
import { type Browser, type ConsoleHarness, launchBrowser, signIn, startConsoleHarness } from "./harness.ts";

/** The Quality page in a real browser: from the navigation to a worst draft's checks and votes. */

let h: ConsoleHarness;
let browser: Browser;
let page: Page;
let generationId = "";
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  h = await startConsoleHarness({ prefix: "ab_browser_quality" });
  const accepted = await h.pipeline.accept({
    platform: "CONSOLE",
    eventId: "quality-browser-1",
    tenant: { externalId: "browser-quality" },
    requester: { externalId: "ops" },
    input: { kind: "text", text: "write an article about digital twins in manufacturing for plant managers" },
    destination: { platform: "CONSOLE", conversation: "quality-browser" },
  });
  if (accepted.kind !== "queued") throw new Error(`not queued: ${accepted.kind}`);
  generationId = accepted.generationId;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const g = await h.app.db.prisma.generation.findUniqueOrThrow({ where: { id: generationId } });
    if (g.qualityScore !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await castVote(h.app.db, {
    generationId,
    platform: "SLACK",
    voterId: "U1",
    vote: "DOWN",
    comment: "Needs a local example",
  });
  page = await browser.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("the Quality page", () => {
  it("is in the navigation, lists the draft among the worst, and opens its checks and feedback", async () => {
    const g = await h.app.db.prisma.generation.findUniqueOrThrow({ where: { id: generationId } });
    expect(g.qualityScore).not.toBeNull();
    await signIn(page, h.url, h.admin.email);
    await page.getByRole("link", { name: "Quality", exact: true }).click();
    await page.getByRole("heading", { name: "Quality", level: 1 }).waitFor();
    await page.getByRole("link", { name: "7 days" }).click();
    await page.waitForURL(`${h.url}/quality?days=7`);
    const row = page.locator("tr", { has: page.getByRole("link", { name: g.topic }) });
    expect(await row.locator('td[data-label="Score"]').textContent()).toBe(String(g.qualityScore));
    expect(await row.locator('td[data-label="👍 / 👎"]').textContent()).toBe("0 / 1");
    await row.getByRole("link", { name: g.topic }).click();
    await page.getByRole("heading", { name: `Quality score ${g.qualityScore}/100` }).waitFor();
    expect(await page.getByText("👎 Needs a local example").count()).toBe(1);
    expect(await page.locator('th[data-label="Check"]').allTextContents()).toEqual([
      "Length",
      "Structure",
      "Repetition",
      "Overlap with excerpts",
      "Language",
      "Keywords",
      "House style",
    ]);
    expect(pageErrors).toEqual([]);
  });

  it("lets an admin add a phrase to avoid and take it off again", async () => {
    await page.goto(`${h.url}/quality`);
    await page.getByLabel("Add a phrase").fill("Unlock  Synergies");
    await page.getByRole("button", { name: "Add phrase" }).click();
    await page.getByText("“unlock synergies” added").waitFor();
    const remove = page.getByRole("button", { name: "Remove “unlock synergies”" });
    await remove.waitFor();
    expect(
      await page.getByRole("list", { name: "Phrases to avoid" }).locator("li").allTextContents(),
    ).toContain("unlock synergies×Remove “unlock synergies”");
    await remove.click();
    await page.getByText("“unlock synergies” removed").waitFor();
    // The notice comes with the action's answer; the list follows when the page reloads its data.
    await expect.poll(() => page.getByRole("button", { name: "Remove “unlock synergies”" }).count()).toBe(0);
    expect(await h.app.db.prisma.stylePhrase.count({ where: { phrase: "unlock synergies" } })).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
