import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../core/db/client.ts";
import { PROMPT_VERSION } from "../../core/generate/prompt.ts";
import { createLogger } from "../../core/logger.ts";
import { castVote } from "../../core/quality/feedback.ts";
import { recordJudgement, recordQuality } from "../../core/quality/record.ts";
import { openTestConsole, type TestConsole } from "../helpers/test-console.ts";
import { GOOD_EN, LOOPED_EN } from "../unit/fixtures/drafts.ts";

/** The Quality page and the generation page's quality section, over real HTTP from the build. */
const EMAIL = "quality@example.com";
const PASSWORD = "correct horse battery staple";

let db: Database;
let console_: TestConsole;
let cookie = "";
const ids: { good: string; looped: string } = { good: "", looped: "" };

async function delivered(key: string, draft: string, model: string, targetWords: number): Promise<string> {
  const tenant = await db.prisma.tenant.upsert({
    where: { platform_externalId: { platform: "SLACK", externalId: "T-quality" } },
    update: {},
    create: {
      platform: "SLACK",
      externalId: "T-quality",
      name: "Acme",
      defaultTierId: (await db.prisma.tier.findUniqueOrThrow({ where: { name: "Pro" } })).id,
    },
  });
  const requester = await db.prisma.requester.upsert({
    where: { tenantId_externalId: { tenantId: tenant.id, externalId: "U1" } },
    update: {},
    create: { tenantId: tenant.id, platform: "SLACK", externalId: "U1", displayName: "Somchai" },
  });
  const request = {
    topic: `AI in retail ${key}`,
    industry: "retail",
    audience: "executives",
    targetWords,
    keywords: [],
    language: "en" as const,
    tone: "executive" as const,
  };
  const g = await db.prisma.generation.create({
    data: {
      requestKey: `q-${key}`,
      tenantId: tenant.id,
      requesterId: requester.id,
      platform: "SLACK",
      status: "DELIVERED",
      request,
      topic: request.topic,
      language: "en",
      targetWords,
      model,
      draft,
      promptVersion: PROMPT_VERSION,
      day: new Date(new Date().toISOString().slice(0, 10)),
    },
  });
  await recordQuality(db, createLogger("silent"), {
    generationId: g.id,
    platform: "SLACK",
    draft,
    request,
    sources: [],
    maxWords: 2000,
  });
  return g.id;
}

beforeAll(async () => {
  console_ = await openTestConsole({
    prefix: "ab_admin_quality",
    user: { email: EMAIL, password: PASSWORD, name: "Ops", role: "ADMIN" },
    seeded: true,
  });
  ({ db } = console_);

  ids.good = await delivered("good", GOOD_EN, "gpt-4o", 330);
  ids.looped = await delivered("looped", LOOPED_EN, "gpt-4o-mini", 600);
  await recordJudgement(
    db,
    ids.good,
    {
      status: "scored",
      model: "gpt-4o",
      mean: 8.5,
      scores: {
        coherence: { score: 9, reason: "Flows from hook to actions." },
        relevance: { score: 8, reason: "On the request." },
        originality: { score: 8, reason: "Fresh examples." },
        style: { score: 9, reason: "House outline." },
      },
    },
    { operation: "JUDGE", model: "gpt-4o", inputTokens: 1_000, outputTokens: 100 },
  );
  await recordJudgement(db, ids.looped, { status: "unscored", model: "gpt-4o", reason: "unparseable" }, null);
  await castVote(db, { generationId: ids.good, platform: "SLACK", voterId: "U1", vote: "UP" });
  await castVote(db, {
    generationId: ids.looped,
    platform: "SLACK",
    voterId: "U1",
    vote: "DOWN",
    comment: "Says the same thing over and over",
  });
  await castVote(db, { generationId: ids.looped, platform: "LINE", voterId: "U2", vote: "UP" });

  const res = await fetch(`${console_.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: console_.url },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD, redirectTo: "/" }),
  });
  expect(res.status).toBe(302);
  cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith("ab_session="))!
    .split(";")[0]!;
});

afterAll(async () => {
  await console_?.close();
});

const page = async (pathname: string) => {
  const res = await fetch(console_.url + pathname, { headers: { cookie }, redirect: "manual" });
  return { status: res.status, html: (await res.text()).replace(/<!-- -->/g, "") };
};

describe("the Quality page", () => {
  it("needs a session", async () => {
    const res = await fetch(`${console_.url}/quality`, { redirect: "manual" });
    expect(res.status).toBe(302);
  });

  it("shows score and 👍 rate by model and prompt version, and the worst drafts with their failed checks", async () => {
    const { status, html } = await page("/quality?days=7");
    expect(status).toBe(200);
    expect(html).toContain("<h1>Quality</h1>");
    expect(html).toContain('href="/quality"');
    // gpt-4o: one draft scoring 100, judged 8.5, one 👍 of one vote.
    expect(html).toMatch(
      /gpt-4o<\/th><td[^>]*>1<\/td><td[^>]*>100<\/td><td[^>]*>8\.5 \(1\)<\/td><td[^>]*>1 \/ 0<\/td><td[^>]*>100(\.0)?\s?%/,
    );
    // gpt-4o-mini: the looped draft, unscored by the judge, one 👍 and one 👎.
    expect(html).toMatch(
      /gpt-4o-mini<\/th><td[^>]*>1<\/td><td[^>]*>\d+<\/td><td[^>]*>—<\/td><td[^>]*>1 \/ 1<\/td><td[^>]*>50(\.0)?\s?%/,
    );
    expect(html).toContain(PROMPT_VERSION);
    const worst = html.slice(html.indexOf("Worst drafts"));
    expect(worst.indexOf("AI in retail looped")).toBeLessThan(worst.indexOf("AI in retail good"));
    expect(worst).toContain("length, repetition");
  });
});

describe("the phrases to avoid", () => {
  const post = (body: Record<string, string>) =>
    fetch(`${console_.url}/quality`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: console_.url },
      body: new URLSearchParams(body),
    });

  it("adds a phrase once (as the check looks for it), audits it, and the next draft that uses it fails the style check", async () => {
    const added = await post({ intent: "add", phrase: "  Move The  NEEDLE " });
    expect(added.status).toBe(200);
    expect((await added.text()).replace(/<!-- -->/g, "")).toContain("“move the needle” added");
    const again = await post({ intent: "add", phrase: "move the needle" });
    expect(await again.text()).toContain("already on the list");
    expect(await db.prisma.stylePhrase.count({ where: { phrase: "move the needle" } })).toBe(1);
    const audit = await db.prisma.auditLog.findMany({
      where: { action: "style_phrase.add", entityId: "move the needle" },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorEmail).toBe(EMAIL);
    const { html } = await page("/quality");
    expect(html).toContain("Remove “move the needle”");

    const id = await delivered("needle", `${GOOD_EN}\n\nThese moves will Move the needle.`, "gpt-4o", 330);
    const g = await db.prisma.generation.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(g.qualityChecks)).toContain("move the needle");
  });

  it("removes a phrase, refuses a blank one with a field message and a cross-site post", async () => {
    const removed = await post({ intent: "remove", phrase: "move the needle" });
    expect(await removed.text()).toContain("removed");
    expect(await db.prisma.stylePhrase.count({ where: { phrase: "move the needle" } })).toBe(0);
    const blank = await post({ intent: "add", phrase: "   " });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain("Enter a phrase.");
    const crossSite = await fetch(`${console_.url}/quality`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: "https://evil.example" },
      body: new URLSearchParams({ intent: "add", phrase: "x" }),
    });
    expect(crossSite.status).toBe(403);
    expect(await db.prisma.stylePhrase.count({ where: { phrase: "x" } })).toBe(0);
  });
});

describe("a generation's page", () => {
  it("shows its checks, the judge's scores and reasons, and the feedback", async () => {
    const { status, html } = await page(`/generations/${ids.good}`);
    expect(status).toBe(200);
    expect(html).toContain("score 100/100");
    expect(html).toContain(`Prompt version: ${PROMPT_VERSION}`);
    expect(html).toContain("Flows from hook to actions.");
    expect(html).toContain("coherence · 9/10");
    expect(html).toContain("👍 1 · 👎 0");
    // The judge's call is the operator's cost: shown with the verdict, not in the article's breakdown.
    expect(html).toContain("not charged to the requester");
    expect(html).not.toMatch(
      /<td data-label="Operation">(Embedding|Writing)<\/td><td data-label="Model">gpt-4o<\/td><td data-label="Input tokens" class="num">1,000/,
    );
  });

  it("names the failed checks, an unscored judge and a 👎's comment", async () => {
    const { html } = await page(`/generations/${ids.looped}`);
    expect(html).toMatch(/Repetition<\/th><td[^>]*><span class="badge bad">failed/);
    expect(html).toContain("its answer could not be read as scores");
    expect(html).toContain("👎 Says the same thing over and over");
    expect(html).toContain("👍 1 · 👎 1");
  });
});
