import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../core/admin/password.ts";
import { type Activity, seedActivity, TRICKY_TOPIC } from "./fixture-data.ts";
import {
  type Browser,
  type ConsoleHarness,
  launchBrowser,
  PASSWORD,
  SCREENSHOTS,
  signIn,
  startConsoleHarness,
} from "./harness.ts";

/**
 * The console in a real browser (Debian's Chromium through playwright-core) against the real
 * console server, PostgreSQL, Redis and a worker writing through the fake OpenAI API.
 * Screenshots of the main pages go to SCREENSHOT_DIR (default: a folder under the temp dir).
 */

let h: ConsoleHarness;
let browser: Browser;
let activity: Activity;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser(); // first, so a missing Chromium says so before anything else
  // Paced tokens, so a draft takes a few seconds to write and its chunks visibly arrive one by one.
  h = await startConsoleHarness({
    prefix: "ab_browser",
    fake: { tokensPerSecond: 150, firstTokenLatencyMs: 200 },
  });
  activity = await seedActivity(h.app);
  await mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function freshPage(width = 1280, height = 860): Promise<Page> {
  await page?.close();
  page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  // Hydration mismatches and uncaught errors show up here; none are expected.
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("dialog", (d) => void d.accept());
  await browser.context.clearCookies();
  return page;
}

afterEach(() => {
  const errors = pageErrors.splice(0);
  // Refusals we asked for (400, 401, 403, 404, 429) are logged by Chromium as failed resource
  // loads; anything else (a hydration mismatch, an exception) is a bug.
  expect(
    errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e)),
  ).toEqual([]);
});

const shot = (name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
const audit = (action: string) =>
  h.app.db.prisma.auditLog.findMany({ where: { action }, orderBy: { createdAt: "asc" } });

describe("signing in", () => {
  it("refuses a wrong password, then signs in and shows the overview with the seeded month", async () => {
    await freshPage();
    await page.goto(`${h.url}/tiers`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect
      .poll(() => page.locator(".field-error").allTextContents())
      .toEqual(["Enter your email address.", "Enter your password."]);
    await page.getByLabel("Email").fill(h.admin.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "The email or password is wrong." }).waitFor();
    await shot("sign-in");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${h.url}/tiers`); // back to the page that asked
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await expect
      .poll(() => page.locator(".stat", { hasText: "Articles" }).first().locator("dd").first().textContent())
      .toBe(String(activity.totals.todayArticles));
    expect(await page.locator("figure.chart svg rect.bar").count()).toBeGreaterThan(20);
    expect(await page.getByText("Ben Carter").count()).toBeGreaterThan(0);
    await shot("overview");
  });

  it("throttles repeated wrong passwords and says when to try again", async () => {
    await freshPage();
    const email = `locked-${Date.now()}@example.com`;
    await h.app.db.prisma.adminUser.create({
      data: { email, role: "ADMIN", passwordHash: await hashPassword(PASSWORD) },
    });
    await page.goto(`${h.url}/login`);
    for (let i = 0; i < 11; i++) {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(`guess-${i}`);
      const answered = page.waitForResponse(
        (r) => new URL(r.url()).pathname.startsWith("/login") && r.request().method() === "POST",
      );
      await page.getByRole("button", { name: "Sign in" }).click();
      await answered;
      await page.getByRole("button", { name: "Sign in" }).waitFor(); // idle again ("Signing in…" is gone)
    }
    await expect
      .poll(() => page.getByRole("alert").textContent())
      // 11 failures: 5 free, then 1 s doubling to 32 s at most, which the page rounds up.
      .toContain("Too many failed sign-ins. Try again in 1 minute.");
  });
});

describe("roles", () => {
  it("shows a viewer every page read-only, and the server refuses a viewer's change", async () => {
    await freshPage();
    await signIn(page, h.url, h.viewer.email);
    const free = await h.app.db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } });
    await page.goto(`${h.url}/tiers/${free.id}`);
    await page
      .getByText("You are signed in as a viewer: you can look, but only admins can change tiers.")
      .waitFor();
    expect(await page.getByRole("button", { name: "Save changes" }).count()).toBe(0);
    expect(await page.getByLabel("Daily article limit").isDisabled()).toBe(true);
    // Going around the page: a same-origin POST from the viewer's session is still refused.
    const status = await page.evaluate(async (id) => {
      const body = new URLSearchParams({
        intent: "save",
        name: "Free",
        dailyArticleLimit: "999",
        burstPerMinute: "10",
        maxWords: "800",
        monthlyBudgetUsd: "5",
        allowedModel: "",
        cacheScope: "TENANT",
        description: "",
      });
      return (await fetch(`/tiers/${id}`, { method: "POST", body })).status;
    }, free.id);
    expect(status).toBe(403);
    expect((await h.app.db.prisma.tier.findUniqueOrThrow({ where: { id: free.id } })).dailyArticleLimit).toBe(
      10,
    );
    expect(await audit("tier.update")).toHaveLength(0);
    await page.goto(`${h.url}/cache`);
    expect(await page.getByRole("button", { name: "Invalidate all entries" }).count()).toBe(0);
    await shot("viewer-tier");
  });
});

describe("tiers", () => {
  it("shows field errors, then saves an edit that the bots follow at once, with an audit row", async () => {
    await freshPage();
    await signIn(page, h.url, h.admin.email);
    await page.goto(`${h.url}/tiers`);
    await page.getByRole("link", { name: "Free", exact: true }).click();
    await page.getByRole("heading", { name: "Free" }).waitFor();
    await page.getByLabel("Burst per minute").fill("many");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Enter the burst limit as a whole number, like 1.").waitFor();
    expect(await page.getByLabel("Burst per minute").getAttribute("aria-invalid")).toBe("true");
    await shot("tier-field-error");

    await page.getByLabel("Burst per minute").fill("10");
    await page.getByLabel("Daily article limit").fill("1");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Tier saved. The bots use the new limits from the next request.").waitFor();
    const [row] = await audit("tier.update");
    expect(row).toMatchObject({
      actorEmail: h.admin.email,
      entityType: "Tier",
      before: { dailyArticleLimit: 10 },
      after: { dailyArticleLimit: 1 },
    });

    // The bot's next quota decision: a LINE client (Free) gets one article today, not ten.
    const ask = (n: number) =>
      h.pipeline.accept({
        platform: "LINE",
        eventId: `browser-quota-${n}-${Date.now()}`,
        tenant: { externalId: "U-line-channel" },
        requester: { externalId: "U-browser-quota" },
        input: { kind: "text", text: "write about smart ports for executives, 300 words" },
        destination: { platform: "CONSOLE", conversation: `q${n}` },
      });
    expect((await ask(1)).kind).toBe("queued");
    const refused = await ask(2);
    expect(refused.kind).toBe("refused");
    if (refused.kind === "refused") expect(refused.refusal).toMatchObject({ limit: "daily", max: 1 });

    await page.goto(`${h.url}/audit`);
    await page.getByText("tier.update").first().waitFor();
    await page.getByText("Before and after").first().click();
    await shot("audit-log");
  });
});

describe("topic cache", () => {
  it("invalidates a cache entry", async () => {
    await freshPage();
    await signIn(page, h.url, h.admin.email);
    await page.goto(`${h.url}/cache`);
    await shot("cache");
    const row = page.locator("tr", { hasText: "AI in grocery retail" });
    await row.getByRole("checkbox").check();
    await page.getByRole("button", { name: "Invalidate selected" }).click();
    await page.getByText("1 cache entry invalidated.").waitFor();
    // The notice shows as soon as the action answers; the list follows once the page's data is reloaded.
    await page.locator("tr", { hasText: "AI in grocery retail" }).waitFor({ state: "detached" });
    expect(await h.app.db.prisma.topicCacheEntry.count({ where: { id: activity.cacheEntries[0] } })).toBe(0);
    expect(await audit("cache.invalidate")).toHaveLength(1);
  });
});

describe("corpus", () => {
  it("uploads a Markdown file, explains a bad one, and deletes a document", async () => {
    await freshPage();
    await signIn(page, h.url, h.admin.email);
    await page.goto(`${h.url}/corpus`);
    await page.getByText("The corpus is empty").waitFor();
    await page.getByLabel("Markdown files").setInputFiles([
      {
        name: "future-of-retail.md",
        mimeType: "text/markdown",
        buffer: Buffer.from(
          "---\nindustry: retail\n---\n# The future of retail\n\nStores become fulfilment hubs and media channels.\n\n## What leaders do\n\nThey measure stores by the whole basket, online included.",
        ),
      },
      { name: "photo.png", mimeType: "image/png", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
    ]);
    await page.getByRole("button", { name: "Upload and index" }).click();
    await page.getByRole("heading", { name: "Upload results" }).waitFor();
    await page.getByText("Only Markdown files (.md) can be added to the corpus.").waitFor();
    await page.getByText(/Added: \d+ passages? indexed\./).waitFor();
    await page.locator("td", { hasText: "The future of retail" }).waitFor();
    await shot("corpus");
    const doc = await h.app.db.prisma.corpusDocument.findUniqueOrThrow({
      where: { source: "future-of-retail.md" },
    });
    expect(await h.pipeline.retrieval.store.count()).toBe(doc.chunkCount);

    await page
      .locator("tr", { hasText: "The future of retail" })
      .getByRole("button", { name: "Delete" })
      .click();
    await page.getByText("“The future of retail” removed from the corpus and the vector store.").waitFor();
    expect(await h.pipeline.retrieval.store.count()).toBe(0);
  });
});

describe("playground", () => {
  it("streams a draft: chunks appear while it is still being written", async () => {
    await freshPage();
    await signIn(page, h.url, h.admin.email);
    await page.goto(`${h.url}/playground`);
    await page.getByLabel("Ask as").fill("Browser tester");
    await page.getByLabel("On tier").selectOption({ label: "Enterprise — unlimited, up to 4,000 words" });
    await page.getByLabel("Message").fill("write an article about AI in retail for executives, 700 words");
    await page.getByRole("button", { name: "Request article" }).click();
    await page.waitForURL(/\/playground\?g=/);
    // The first part is on screen while the bot is still writing (the typing dots are there).
    await page.locator("[data-chunk='0']").waitFor({ timeout: 30_000 });
    const partsWhileWriting = await page.locator("[data-chunk]").count();
    const stillWriting = await page.getByLabel("Writing").count();
    await shot("playground-streaming");
    await page.getByTestId("summary").waitFor({ timeout: 60_000 });
    const partsAtEnd = await page.locator("[data-chunk]").count();
    expect(stillWriting).toBe(1);
    expect(partsAtEnd).toBeGreaterThan(partsWhileWriting);
    const indexes = await page
      .locator("[data-chunk]")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-chunk"))));
    expect(indexes).toEqual(indexes.map((_, i) => i));
    // The summary and the end of the typing dots may land in two renders: the dots must go.
    await page.getByLabel("Writing").waitFor({ state: "detached", timeout: 10_000 });
    await shot("playground-done");
    const g = await h.app.db.prisma.generation.findFirstOrThrow({
      where: { requester: { displayName: "Browser tester" } },
    });
    expect(g.status).toBe("DELIVERED");
    expect(g.chunksDelivered).toBe(partsAtEnd);
  }, 120_000);
});

describe("generations", () => {
  it("filters the log, opens a draft with its cost breakdown, and exports CSV", async () => {
    await freshPage();
    await signIn(page, h.url, h.admin.email);
    await page.goto(`${h.url}/generations`);
    await page.getByLabel("Status").selectOption("FAILED");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/status=FAILED/);
    const statuses = await page.locator("td[data-label=Status] .badge").allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(["Failed"]));

    await page.getByRole("link", { name: "Clear" }).click();
    await page.locator("td[data-label=Topic] a").first().waitFor();
    await shot("generations");
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const csv = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
    expect(csv.split("\r\n")[0]).toBe(
      "id,created_at (Asia/Bangkok),platform,workspace,requester,requester_id,status,topic,language,target_words,words,tier_at_time,model,input_tokens,output_tokens,cost_usd,cost_incomplete,cache_hit,latency_ms,first_chunk_ms,error_code",
    );
    expect(csv).toContain(`"${TRICKY_TOPIC.replace(/"/g, '""')}"`);
    const total = await h.app.db.prisma.generation.count();
    expect(csv.match(/\r\nc[a-z0-9]{20,}/g)?.length).toBe(total);

    await page.goto(`${h.url}/generations/${activity.generations[0]}`);
    await page.getByRole("heading", { name: "Cost breakdown" }).waitFor();
    await page.getByRole("cell", { name: "text-embedding-3-small" }).waitFor();
    await shot("generation");
  });

  it("shows a missing generation inside the console, navigation intact", async () => {
    await freshPage();
    await signIn(page, h.url, h.admin.email);
    const res = await page.goto(`${h.url}/generations/does-not-exist`);
    expect(res?.status()).toBe(404);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await page.getByRole("navigation", { name: "Console" }).isVisible()).toBe(true);
  });
});

describe("phone width", () => {
  it("fits every page into 390 px without sideways scrolling", async () => {
    await freshPage(390, 844);
    await signIn(page, h.url, h.admin.email);
    const free = await h.app.db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } });
    const pages = [
      "/",
      "/generations",
      `/generations/${activity.generations[0]}`,
      "/requesters",
      `/requesters/${activity.slackRequesters[0]}`,
      "/workspaces",
      "/tiers",
      `/tiers/${free.id}`,
      "/tiers/new",
      "/cache",
      "/corpus",
      "/models",
      "/playground",
      "/audit",
      "/settings",
      "/account",
    ];
    for (const p of pages) {
      await page.goto(h.url + p);
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ page: p, overflow }).toEqual({ page: p, overflow: 0 });
      expect(await page.getByRole("navigation", { name: "Console" }).isVisible()).toBe(true);
    }
    // Tables turn into label/value cards: no header row, each cell says what it is (the
    // generations log instead keeps short rows: tests/browser/cost.test.ts).
    await page.goto(`${h.url}/requesters`);
    expect(await page.locator(".rtable thead").isVisible()).toBe(false);
    expect(
      await page
        .locator("td[data-label]")
        .first()
        .evaluate((td) => getComputedStyle(td, "::before").content),
    ).not.toBe("none");
    await page.goto(`${h.url}/generations`);
    await shot("phone-generations");
    await page.goto(`${h.url}/`);
    await shot("phone-overview");
  }, 180_000);
});
