import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Activity, seedActivity } from "../browser/fixture-data.ts";
import { type ConsoleHarness, PASSWORD, startConsoleHarness } from "../browser/harness.ts";

/**
 * Generations for cost work, over real HTTP: totals for the filtered set against sums worked
 * out by hand from the fixture (30 gpt-4o-mini drafts: 10 on the LINE channel, all delivered at
 * $0.00093 and 2,900 tokens; 20 in the Slack workspace, 3 of them failed at $0.00039 and 2,000
 * tokens), workspace and model filters, chips, sorting and a reversed range.
 */

let h: ConsoleHarness;
let activity: Activity;
let cookie: string;

beforeAll(async () => {
  h = await startConsoleHarness({ prefix: "ab_admin_generations" });
  activity = await seedActivity(h.app);
  const res = await fetch(`${h.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: h.url },
    body: new URLSearchParams({ email: h.admin.email, password: PASSWORD }),
  });
  cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("ab_session="))!
    .split(";")[0]!;
});
afterAll(async () => {
  await h?.close();
});

async function page(query: string): Promise<string> {
  const res = await fetch(`${h.url}/generations?${query}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return res.text();
}
const totals = (html: string) => /data-testid="totals">([^<]*)</.exec(html)?.[1]?.replaceAll("&#x27;", "'");
const workspace = (externalId: string) =>
  h.app.db.prisma.tenant.findUniqueOrThrow({
    where: { platform_externalId: { platform: externalId.startsWith("T") ? "SLACK" : "LINE", externalId } },
  });

describe("generations totals and filters", () => {
  it("totals count, tokens and cost over the whole filtered set", async () => {
    expect(totals(await page(""))).toBe("30 generations · 84,300 tokens · $0.026 in all");
    const line = await workspace("U-line-channel");
    expect(totals(await page(`workspace=${line.id}`))).toBe(
      "10 generations · 29,000 tokens · $0.0093 for these filters",
    );
    const slack = await workspace("T0ACME");
    const slackHtml = await page(`workspace=${slack.id}&status=FAILED`);
    expect(totals(slackHtml)).toBe("3 generations · 6,000 tokens · $0.0012 for these filters");
    expect(slackHtml).toContain("Workspace: Acme Consulting (Slack)");
    expect(slackHtml).toContain("Status: Failed");
    expect(totals(await page("model=gpt-4o-mini"))).toBe(
      "30 generations · 84,300 tokens · $0.026 for these filters",
    );
    const none = await page("model=gpt-4o");
    expect(none).toContain("No generations match these filters");
    expect(none).toContain("Model: gpt-4o");
  });

  it("shows a requester filter from a link as a removable chip", async () => {
    const id = activity.slackRequesters[0]!;
    const html = await page(`requester=${id}`);
    expect(html).toContain("Requester: Somchai P.");
    expect(html).toContain('aria-label="Remove filter Requester: Somchai P."');
  });

  it("sorts by cost, cheapest first, and explains a reversed range", async () => {
    const html = await page("sort=cost-asc");
    const ids = [...html.matchAll(/href="\/generations\/([a-z0-9]+)"/g)].map((m) => m[1]);
    const failed = [4, 13, 22].map((i) => activity.generations[i]);
    expect(new Set(ids.slice(0, 3))).toEqual(new Set(failed));
    const reversed = await page("from=2026-11-20&to=2026-11-02");
    expect(reversed).toContain("is after");
    expect(reversed).toContain("no day can be in that range. Swap the dates.");
    expect(reversed).not.toContain("No generations match");
  });

  it("keeps the rollup totals true through a generation's life: queued, delivered, repriced, deleted", async () => {
    const line = await workspace("U-line-channel");
    const r = activity.lineRequesters[0]!;
    const g = await h.app.db.prisma.generation.create({
      data: {
        requestKey: "totals-life",
        tenantId: line.id,
        requesterId: r,
        platform: "LINE",
        topic: "Totals life",
        language: "en",
        targetWords: 600,
        request: {},
        day: new Date(),
      },
    });
    // The rollup (workspace filter) and a scan of the rows (topic search) must agree at each step.
    const both = async () => [
      totals(await page(`workspace=${line.id}`)),
      totals(await page("q=Totals%20life")),
    ];
    expect((await both())[0]).toBe("11 generations · 29,000 tokens · $0.0093 for these filters");
    expect((await both())[1]).toBe("1 generation · 0 tokens · $0.00 for these filters");
    await h.app.db.prisma.generation.update({
      where: { id: g.id },
      data: {
        status: "DELIVERED",
        model: "gpt-4o",
        inputTokens: 1000,
        outputTokens: 1000,
        costUsd: "0.0107",
      },
    });
    // By hand: 10 × $0.00093 + $0.0107 = $0.0200; 29,000 + 2,000 tokens.
    expect((await both())[0]).toBe("11 generations · 31,000 tokens · $0.020 for these filters");
    expect(totals(await page(`workspace=${line.id}&model=gpt-4o`))).toBe(
      "1 generation · 2,000 tokens · $0.011 for these filters",
    );
    expect(totals(await page(`workspace=${line.id}&status=DELIVERED&model=gpt-4o-mini`))).toBe(
      "10 generations · 29,000 tokens · $0.0093 for these filters",
    );
    await h.app.db.prisma.generation.delete({ where: { id: g.id } });
    expect((await both())[0]).toBe("10 generations · 29,000 tokens · $0.0093 for these filters");
  });
});
