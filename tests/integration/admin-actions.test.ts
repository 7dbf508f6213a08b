import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArticleRequest } from "../../core/domain.ts";
import type { ChatRequest } from "../../core/pipeline/index.ts";
import { saveMessageQuota } from "../../core/records/message-quota.ts";
import { dayColumn } from "../../core/time.ts";
import { type Activity, seedActivity, TRICKY_TOPIC } from "../browser/fixture-data.ts";
import { type ConsoleHarness, PASSWORD, startConsoleHarness } from "../browser/harness.ts";

/**
 * The console's loaders and actions over real HTTP (the built app, PostgreSQL, Redis, BullMQ,
 * the fake OpenAI): every change checks the role and the origin, writes its audit row, and
 * answers bad input with field errors instead of changing anything.
 */

let h: ConsoleHarness;
let base: string;
let activity: Activity;
let adminCookie: string;
let viewerCookie: string;

beforeAll(async () => {
  h = await startConsoleHarness({ prefix: "ab_admin_actions" });
  base = h.url;
  activity = await seedActivity(h.app);
  adminCookie = await signIn(h.admin.email);
  viewerCookie = await signIn(h.viewer.email);
});
afterAll(async () => {
  await h?.close();
});

async function signIn(email: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base },
    body: new URLSearchParams({ email, password: PASSWORD }),
  });
  expect(res.status).toBe(302);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith("ab_session="))!
    .split(";")[0]!;
}

const get = (path: string, cookie = adminCookie) =>
  fetch(base + path, { redirect: "manual", headers: { cookie } });

function post(
  path: string,
  form: Record<string, string | string[]>,
  opts: { cookie?: string; origin?: string | null } = {},
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  const headers: Record<string, string> = { cookie: opts.cookie ?? adminCookie };
  if (opts.origin !== null) headers.origin = opts.origin ?? base;
  return fetch(base + path, { method: "POST", redirect: "manual", headers, body });
}

const tierByName = (name: string) => h.app.db.prisma.tier.findUniqueOrThrow({ where: { name } });
const audits = (action: string) =>
  h.app.db.prisma.auditLog.findMany({ where: { action }, orderBy: { createdAt: "asc" } });

function tierForm(
  t: Awaited<ReturnType<typeof tierByName>>,
  changes: Record<string, string> = {},
): Record<string, string> {
  return {
    intent: "save",
    name: t.name,
    description: t.description,
    dailyArticleLimit: t.dailyArticleLimit === null ? "" : String(t.dailyArticleLimit),
    burstPerMinute: String(t.burstPerMinute),
    maxWords: String(t.maxWords),
    monthlyBudgetUsd: t.monthlyBudgetUsd?.toFixed(2) ?? "",
    allowedModel: t.allowedModel ?? "",
    cacheScope: t.cacheScope,
    ...changes,
  };
}

let eventCounter = 0;
function lineRequest(
  user: string,
  text = "write an article about AI in retail for executives, 300 words",
): ChatRequest {
  eventCounter++;
  return {
    platform: "LINE",
    eventId: `admin-actions-${eventCounter}-${Date.now()}`,
    tenant: { externalId: "U-line-channel" },
    requester: { externalId: user },
    input: { kind: "text", text },
    destination: { platform: "CONSOLE", conversation: `c-${eventCounter}` },
  };
}

describe("console mutations: role, origin, audit", () => {
  it("refuses a viewer's change with 403 and changes nothing", async () => {
    const free = await tierByName("Free");
    const before = await h.app.db.prisma.auditLog.count();
    const res = await post(`/tiers/${free.id}`, tierForm(free, { dailyArticleLimit: "999" }), {
      cookie: viewerCookie,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("Only admins can do this.");
    expect((await tierByName("Free")).dailyArticleLimit).toBe(10);
    expect(await h.app.db.prisma.auditLog.count()).toBe(before);
    // Every other mutation is refused the same way.
    const requesterId = activity.lineRequesters[0]!;
    expect(
      (await post(`/requesters/${requesterId}`, { intent: "block" }, { cookie: viewerCookie })).status,
    ).toBe(403);
    expect(
      (await post("/cache", { intent: "invalidate-all", confirm: "all" }, { cookie: viewerCookie })).status,
    ).toBe(403);
    expect(
      (
        await post(
          "/models",
          { intent: "update", model: "gpt-4o-mini", input: "9", output: "9" },
          { cookie: viewerCookie },
        )
      ).status,
    ).toBe(403);
    expect((await h.app.db.prisma.requester.findUniqueOrThrow({ where: { id: requesterId } })).blocked).toBe(
      false,
    );
    expect(await h.app.db.prisma.topicCacheEntry.count()).toBe(activity.cacheEntries.length);
    // A viewer still reads every page, without the forms' buttons.
    const page = await get(`/tiers/${free.id}`, viewerCookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("you can look, but only admins can change tiers");
    expect(html).not.toContain("Save changes");
  });

  it("refuses changes sent from another site or with no origin, even by an admin", async () => {
    const free = await tierByName("Free");
    for (const origin of ["https://evil.example", "null", null]) {
      const res = await post(`/tiers/${free.id}`, tierForm(free, { dailyArticleLimit: "999" }), { origin });
      expect(res.status).toBe(403);
    }
    expect((await tierByName("Free")).dailyArticleLimit).toBe(10);
    expect(await audits("tier.update")).toHaveLength(0);
  });

  it("sends a signed-out change to the sign-in page", async () => {
    const res = await fetch(`${base}/models`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base },
      body: new URLSearchParams({ intent: "update", model: "gpt-4o", input: "1", output: "1" }),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });

  it("answers bad tier input with field errors and changes nothing", async () => {
    const pro = await tierByName("Pro");
    const res = await post(
      `/tiers/${pro.id}`,
      tierForm(pro, {
        burstPerMinute: "lots",
        maxWords: "5",
        monthlyBudgetUsd: "1.234",
        dailyArticleLimit: "-3",
        allowedModel: "gpt 4o",
      }),
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Enter the burst limit as a whole number, like 1.");
    expect(html).toContain("The maximum length must be between 150 and 10,000.");
    expect(html).toContain("Enter the monthly budget as a number with up to 2 decimals");
    expect(html).toContain("Enter the daily limit as a whole number, or leave it blank for no limit.");
    expect(html).toContain("A model id has no spaces");
    expect(html).toContain('value="lots"'); // what was typed comes back
    expect((await tierByName("Pro")).burstPerMinute).toBe(pro.burstPerMinute);
    expect(await audits("tier.update")).toHaveLength(0);

    const renamed = await post(`/tiers/${pro.id}`, tierForm(pro, { name: "Professional" }));
    expect(renamed.status).toBe(400);
    expect(await renamed.text()).toContain("so it cannot be renamed");

    const duplicate = await post("/tiers/new", { ...tierForm(pro), name: "free" });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.text()).toContain("A tier named &quot;free&quot; already exists.");
  });

  it("edits a tier: the audit row says who and what, and the bots' next quota decision follows at once", async () => {
    // Two LINE requests on Free (limit 10) are both accepted today...
    const first = await h.pipeline.accept(lineRequest("U-quota-1"));
    expect(first.kind).toBe("queued");
    const free = await tierByName("Free");
    const res = await post(
      `/tiers/${free.id}`,
      tierForm(free, { dailyArticleLimit: "1", description: "Tightened for the test" }),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Tier saved.");
    const [row] = await audits("tier.update");
    expect(row).toMatchObject({
      actorId: h.admin.id,
      actorEmail: h.admin.email,
      entityType: "Tier",
      entityId: free.id,
      ip: "127.0.0.1",
    });
    expect(row!.before).toEqual({ dailyArticleLimit: 10, description: free.description });
    expect(row!.after).toEqual({ dailyArticleLimit: 1, description: "Tightened for the test" });
    // ...but with the limit now 1, the next one from the same person is refused, saying why.
    const second = await h.pipeline.accept(lineRequest("U-quota-1"));
    expect(second.kind).toBe("refused");
    if (second.kind === "refused")
      expect(second.refusal).toMatchObject({ limit: "daily", max: 1, used: 1, tier: "Free" });
    // The revisions allowance is edited on the same form, and audited.
    const revisions = await post(
      `/tiers/${free.id}`,
      tierForm(await tierByName("Free"), { revisionsPerDraft: "5" }),
    );
    expect(await revisions.text()).toContain("Tier saved.");
    expect((await tierByName("Free")).revisionsPerDraft).toBe(5);
    expect(
      (await audits("tier.update")).find((r) => JSON.stringify(r.after).includes("revisionsPerDraft"))?.after,
    ).toEqual({
      revisionsPerDraft: 5,
    });
    const bad = await post(
      `/tiers/${free.id}`,
      tierForm(await tierByName("Free"), { revisionsPerDraft: "many" }),
    );
    expect(await bad.text()).toContain("Enter the revisions per draft as a whole number from 0 to 1000.");
    // Saving the same values again changes nothing and writes no row.
    const again = await post(`/tiers/${free.id}`, tierForm(await tierByName("Free")));
    expect(await again.text()).toContain("Nothing changed.");
    expect(await audits("tier.update")).toHaveLength(2);
  });

  it("creates and retires a tier, refusing to retire one still in use", async () => {
    const res = await post("/tiers/new", {
      intent: "save",
      name: "Trial",
      description: "",
      dailyArticleLimit: "3",
      burstPerMinute: "5",
      maxWords: "600",
      monthlyBudgetUsd: "",
      allowedModel: "gpt-4o-mini",
      cacheScope: "REQUESTER",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/tiers?created=Trial");
    const trial = await tierByName("Trial");
    expect(trial).toMatchObject({
      dailyArticleLimit: 3,
      monthlyBudgetUsd: null,
      allowedModel: "gpt-4o-mini",
      cacheScope: "REQUESTER",
    });
    expect((await audits("tier.create"))[0]?.after).toMatchObject({ name: "Trial", dailyArticleLimit: 3 });

    const requesterId = activity.slackRequesters[1]!;
    expect((await post(`/requesters/${requesterId}`, { intent: "tier", tierId: trial.id })).status).toBe(200);
    const refused = await post(`/tiers/${trial.id}`, { intent: "retire" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Move its 1 requester and 0 workspaces to another tier first");
    expect((await post(`/requesters/${requesterId}`, { intent: "tier", tierId: "" })).status).toBe(200);
    expect((await post(`/tiers/${trial.id}`, { intent: "retire" })).status).toBe(200);
    expect((await tierByName("Trial")).retiredAt).not.toBeNull();
    expect((await audits("tier.retire"))[0]).toMatchObject({ entityId: trial.id });
    const protectedOne = await post(`/tiers/${(await tierByName("Pro")).id}`, { intent: "retire" });
    expect(await protectedOne.text()).toContain("cannot be retired");
    // A retired tier cannot be given to anyone.
    const onRetired = await post(`/requesters/${requesterId}`, { intent: "tier", tierId: trial.id });
    expect(onRetired.status).toBe(400);
    expect(await onRetired.text()).toContain("Choose a tier that is not retired.");
    const tierAudits = await audits("requester.tier");
    expect(tierAudits.map((a) => [a.before, a.after])).toEqual([
      [
        { tierId: null, tier: "(workspace default)" },
        { tierId: trial.id, tier: "Trial" },
      ],
      [
        { tierId: trial.id, tier: "Trial" },
        { tierId: null, tier: "(workspace default)" },
      ],
    ]);
  });

  it("blocks and unblocks a requester, and the bot refuses a blocked one", async () => {
    const id = activity.lineRequesters[1]!;
    const r = await h.app.db.prisma.requester.findUniqueOrThrow({ where: { id } });
    expect((await post(`/requesters/${id}`, { intent: "block" })).status).toBe(200);
    expect((await h.pipeline.accept(lineRequest(r.externalId))).kind).toBe("blocked");
    expect((await post(`/requesters/${id}`, { intent: "unblock" })).status).toBe(200);
    expect((await audits("requester.block"))[0]).toMatchObject({
      entityId: id,
      before: { blocked: false },
      after: { blocked: true },
    });
    expect((await audits("requester.unblock"))[0]).toMatchObject({
      entityId: id,
      before: { blocked: true },
      after: { blocked: false },
    });
    const bad = await post(`/requesters/${id}`, { intent: "explode" });
    expect(bad.status).toBe(400);
  });

  it("resets today's quota: delivered articles stop counting, the rollups keep them", async () => {
    const free = await tierByName("Free"); // limit 1 since the tier edit above
    const requester = await h.app.db.prisma.requester.findFirstOrThrow({ where: { externalId: "U2line" } });
    const day = dayColumn(new Date(), h.app.config.quotaTimeZone);
    await h.app.db.prisma.dailyUsage.upsert({
      where: { day_requesterId: { day, requesterId: requester.id } },
      create: { day, requesterId: requester.id, tenantId: requester.tenantId, platform: "LINE", articles: 4 },
      update: { articles: 4 },
    });
    expect((await h.pipeline.accept(lineRequest("U2line"))).kind).toBe("refused");
    const res = await post(`/requesters/${requester.id}`, { intent: "reset" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(
      "Today&#x27;s quota reset: 4 delivered articles no longer count today.",
    );
    expect((await h.pipeline.quotas.usage(requester.id, free)).today).toMatchObject({
      used: 0,
      delivered: 4,
      forgiven: 4,
    });
    expect((await h.pipeline.accept(lineRequest("U2line"))).kind).toBe("queued");
    expect(
      (
        await h.app.db.prisma.dailyUsage.findUniqueOrThrow({
          where: { day_requesterId: { day, requesterId: requester.id } },
        })
      ).articles,
    ).toBeGreaterThanOrEqual(4);
    expect((await audits("requester.quota.reset"))[0]).toMatchObject({
      entityId: requester.id,
      before: { usedToday: 4, limit: 1 },
      after: { usedToday: 0, forgiven: 4 },
    });
  });

  it("sets a workspace's default tier", async () => {
    const tenant = await h.app.db.prisma.tenant.findFirstOrThrow({ where: { externalId: "T0ACME" } });
    const enterprise = await tierByName("Enterprise");
    const res = await post("/workspaces", { id: tenant.id, tierId: enterprise.id });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Acme Consulting now defaults to Enterprise.");
    expect((await h.app.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).defaultTierId).toBe(
      enterprise.id,
    );
    expect((await audits("workspace.default-tier"))[0]).toMatchObject({
      entityId: tenant.id,
      before: { tier: "Pro" },
      after: { tier: "Enterprise" },
    });
    const missing = await post("/workspaces", { id: tenant.id, tierId: "" });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Choose a tier.");
  });

  it("sets a LINE channel's upgrade line, shown under its clients' refusals", async () => {
    const tenant = await h.app.db.prisma.tenant.findFirstOrThrow({ where: { externalId: "T0ACME" } });
    const res = await post("/workspaces", {
      intent: "upgrade-note",
      id: tenant.id,
      upgradeNote: "  Call 02-123-4567 for Pro ",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("refusals now end with your upgrade line");
    expect((await h.app.db.prisma.tenant.findUniqueOrThrow({ where: { id: tenant.id } })).upgradeNote).toBe(
      "Call 02-123-4567 for Pro",
    );
    expect((await audits("workspace.upgrade-note"))[0]).toMatchObject({
      entityId: tenant.id,
      after: { upgradeNote: "Call 02-123-4567 for Pro" },
    });
    const long = await post("/workspaces", {
      intent: "upgrade-note",
      id: tenant.id,
      upgradeNote: "x".repeat(301),
    });
    expect(long.status).toBe(400);
    expect(await long.text()).toContain("within 300 characters");
  });

  it("edits a tier's LINE push policy, and shows a LINE workspace's messages this month", async () => {
    const pro = await tierByName("Pro");
    expect(pro.linePushPolicy).toBe("FALLBACK");
    const saved = await post(`/tiers/${pro.id}`, tierForm(pro, { linePushPolicy: "NEVER" }));
    expect(await saved.text()).toContain("Tier saved.");
    expect((await tierByName("Pro")).linePushPolicy).toBe("NEVER");
    const bad = await post(`/tiers/${pro.id}`, tierForm(pro, { linePushPolicy: "SOMETIMES" }));
    expect(await bad.text()).toContain("Choose when a LINE draft may be pushed.");
    await post(`/tiers/${pro.id}`, tierForm(pro, { linePushPolicy: "FALLBACK" }));

    const oa = await h.app.db.prisma.tenant.create({
      data: { platform: "LINE", externalId: `U${"a1".repeat(16)}`, name: "Acme OA", defaultTierId: pro.id },
    });
    await saveMessageQuota(
      h.app.db,
      { platform: "LINE", externalId: oa.externalId },
      { limit: 5_000, used: 1_234 },
    );
    const page = await (await get("/workspaces")).text();
    expect(page).toContain("Messages this month: 1,234 of 5,000");
  });

  it("edits a price with validation, and later costs use it", async () => {
    const bad = await post("/models", {
      intent: "update",
      id: "gpt-4o-mini",
      model: "gpt-4o-mini",
      input: "cheap",
      output: "0.6",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Enter the input price as a number with up to 6 decimals");
    const res = await post("/models", {
      intent: "update",
      id: "gpt-4o-mini",
      model: "gpt-4o-mini",
      input: "0.3",
      output: "1.2",
    });
    expect(res.status).toBe(200);
    const price = await h.app.db.prisma.modelPrice.findUniqueOrThrow({ where: { model: "gpt-4o-mini" } });
    expect(price.inputPerMTokUsd.toString()).toBe("0.3");
    expect((await audits("price.update"))[0]).toMatchObject({
      entityId: "gpt-4o-mini",
      before: { inputPerMTokUsd: "0.15", outputPerMTokUsd: "0.6" },
      after: { inputPerMTokUsd: "0.3", outputPerMTokUsd: "1.2" },
    });
    const created = await post("/models", {
      intent: "create",
      model: "ft:gpt-4o-mini:acme::abc123",
      input: "0.3",
      output: "1.2",
    });
    expect(created.status).toBe(200);
    const dup = await post("/models", { intent: "create", model: "gpt-4o", input: "1", output: "1" });
    expect(await dup.text()).toContain("gpt-4o already has a price");
  });
});

describe("topic cache", () => {
  const request: ArticleRequest = {
    topic: "Quantum-safe banking",
    industry: "banking",
    audience: "executives",
    targetWords: 800,
    keywords: [],
    language: "en",
    tone: "executive",
  };

  it("invalidates one entry from both the live cache and the mirror, with an audit row", async () => {
    const requester = await h.app.db.prisma.requester.findUniqueOrThrow({
      where: { id: activity.slackRequesters[0]! },
    });
    const owner = { scope: "TENANT" as const, tenantId: requester.tenantId, requesterId: requester.id };
    const stored = await h.pipeline.cache.store(request, owner, {
      title: "Quantum-safe banking",
      draft: "# Quantum-safe banking\n\nText.",
      words: 3,
      sources: [],
      model: "gpt-4o-mini",
      costUsd: "0.001",
    });
    expect(await h.pipeline.cache.lookup(request, owner)).not.toBeNull();
    const page = await (await get("/cache")).text();
    expect(page).toContain("Quantum-safe banking");

    const res = await post("/cache", { intent: "invalidate", id: stored!.entryId });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("1 cache entry invalidated.");
    expect(await h.app.db.prisma.topicCacheEntry.findUnique({ where: { id: stored!.entryId } })).toBeNull();
    expect(await h.pipeline.cache.lookup(request, owner)).toBeNull();
    const [row] = await audits("cache.invalidate");
    expect(row).toMatchObject({ entityId: stored!.entryId, actorEmail: h.admin.email });
    expect(row!.before).toEqual([
      expect.objectContaining({ id: stored!.entryId, topic: "Quantum-safe banking", scope: "TENANT" }),
    ]);
  });

  it("pins an entry as shared for everyone, then unpins it", async () => {
    const [a, b] = await h.app.db.prisma.requester.findMany({
      where: { id: { in: activity.slackRequesters.slice(0, 1).concat(activity.lineRequesters.slice(0, 1)) } },
    });
    const owner = { scope: "TENANT" as const, tenantId: a!.tenantId, requesterId: a!.id };
    const other = { scope: "REQUESTER" as const, tenantId: b!.tenantId, requesterId: b!.id };
    const stored = await h.pipeline.cache.store({ ...request, topic: "Open finance in Thailand" }, owner, {
      title: "Open finance",
      draft: "# Open finance\n\nText.",
      words: 3,
      sources: [],
      model: "gpt-4o-mini",
      costUsd: "0.001",
    });
    expect(
      await h.pipeline.cache.lookup({ ...request, topic: "Open finance in Thailand" }, other),
    ).toBeNull();
    // Not from the list: the whole draft must have been on screen first.
    const blind = await post("/cache", { intent: "pin", id: stored!.entryId });
    expect(blind.status).toBe(400);
    expect(await blind.text()).toContain(
      "Open the entry and read its whole draft before pinning it for everyone.",
    );
    expect(
      await h.pipeline.cache.lookup({ ...request, topic: "Open finance in Thailand" }, other),
    ).toBeNull();
    const review = await get(`/cache/${stored!.entryId}`);
    expect(review.status).toBe(200);
    const page = await review.text();
    expect(page).toContain("Pin this draft for everyone");
    expect(page).toContain("The draft, as it would be served");
    expect(page).toContain("Text.");
    expect(
      (await post("/cache", { intent: "pin", id: stored!.entryId, reviewed: stored!.entryId })).status,
    ).toBe(200);
    expect(
      await h.pipeline.cache.lookup({ ...request, topic: "Open finance in Thailand" }, other),
    ).not.toBeNull();
    expect((await post("/cache", { intent: "unpin", id: stored!.entryId })).status).toBe(200);
    expect(
      await h.pipeline.cache.lookup({ ...request, topic: "Open finance in Thailand" }, other),
    ).toBeNull();
    expect((await audits("cache.pin")).length + (await audits("cache.unpin")).length).toBe(2);
  });

  it("needs typed confirmation to empty the cache, then empties it", async () => {
    const refused = await post("/cache", { intent: "invalidate-all", confirm: "yes" });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("Type all to confirm.");
    const count = await h.app.db.prisma.topicCacheEntry.count();
    expect(count).toBeGreaterThan(0);
    const res = await post("/cache", { intent: "invalidate-all", confirm: "all" });
    expect(res.status).toBe(200);
    expect(await h.app.db.prisma.topicCacheEntry.count()).toBe(0);
    expect((await audits("cache.invalidate-all"))[0]?.before).toEqual({ entries: count });
  });

  it("pre-warm refuses an empty list and queues real generations for a list of topics", async () => {
    const empty = await post("/cache", {
      intent: "prewarm",
      topics: "  \n ",
      language: "en",
      targetWords: "600",
      audience: "",
    });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter at least one topic, one per line.");
    const res = await post("/cache", {
      intent: "prewarm",
      topics: "Hospital at home\nSmart ports",
      language: "en",
      targetWords: "600",
      audience: "CIOs",
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("2 of 2 topics queued for writing.");
    const rows = await h.app.db.prisma.generation.findMany({
      where: { requester: { externalId: "prewarm" } },
    });
    expect(rows.map((g) => g.topic).sort()).toEqual(["Hospital at home", "Smart ports"]);
    expect((await audits("cache.prewarm"))[0]?.after).toMatchObject({
      outcomes: [{ result: "queued" }, { result: "queued" }],
    });
  });
});

describe("generations, export and overview", () => {
  it("renders the overview from the seeded rollups", async () => {
    const html = await (await get("/")).text();
    expect(html).toContain("Cost per day");
    expect(html).toContain("Articles per day by platform");
    expect(html).toContain("Tokens by model and operation");
    expect(html).toContain("Top requesters by cost this month");
    expect(html).toContain("gpt-4o-mini");
    expect(html).toContain("Ben Carter");
  });

  it("filters the log and opens one generation with its cost breakdown", async () => {
    const failed = await (await get("/generations?status=FAILED&platform=SLACK")).text();
    expect(failed).toContain("timeout");
    expect(failed).toContain('class="badge bad">Failed');
    expect(failed).not.toContain('class="badge good">Delivered');
    expect(failed).not.toContain("LINE<!-- --> · ");
    const detail = await (await get(`/generations/${activity.generations[0]}`)).text();
    expect(detail).toContain("Cost breakdown");
    expect(detail).toContain("text-embedding-3-small");
    expect(detail).toContain("$0.0009");
    expect((await get("/generations/nope")).status).toBe(404);
    // Nonsense filters are ignored, not errors.
    expect((await get("/generations?status=EXPLODED&from=2024-13-99&after=")).status).toBe(200);
  });

  it("shows a generation's draft versions with instruction, tokens and cost", async () => {
    const [first, second] = await h.app.db.prisma.generation.findMany({
      where: { id: { in: activity.generations.slice(0, 2) } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    const draft = await h.app.db.prisma.draft.create({
      data: {
        tenantId: first!.tenantId,
        requesterId: first!.requesterId,
        platform: first!.platform,
        conversationKey: "slack:CVERSIONS:1.000001",
        request: first!.request ?? {},
      },
    });
    await h.app.db.prisma.generation.update({ where: { id: first!.id }, data: { draftId: draft.id } });
    await h.app.db.prisma.generation.update({
      where: { id: second!.id },
      data: { draftId: draft.id, revisesId: first!.id, instruction: "make it shorter" },
    });
    const html = await (await get(`/generations/${second!.id}`)).text();
    expect(html).toContain("Versions of this draft");
    expect(html).toContain("the original request");
    expect(html).toContain("“make it shorter”");
    expect(html).toContain(`href="/generations/${first!.id}"`);
    expect(html).toContain("<strong>v<!-- -->2</strong>");
    const tokens = (n: number) => n.toLocaleString("en-US");
    expect(html).toContain(
      `${tokens(second!.inputTokens)}<!-- --> / <!-- -->${tokens(second!.outputTokens)}`,
    );
    await h.app.db.prisma.generation.updateMany({
      where: { id: { in: [first!.id, second!.id] } },
      data: { draftId: null, revisesId: null, instruction: null },
    });
    await h.app.db.prisma.draft.delete({ where: { id: draft.id } });
  });

  it("exports the filtered log as properly escaped CSV", async () => {
    const res = await get("/generations.csv?platform=LINE");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="generations-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM: spreadsheets read UTF-8
    const text = new TextDecoder().decode(bytes); // (drops the BOM)
    // Times are in the quota time zone, and the header says which.
    expect(text.startsWith("id,created_at (Asia/Bangkok),platform,")).toBe(true);
    const rows = parseCsv(text);
    const header = rows[0]!;
    const body = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    const lineCount = await h.app.db.prisma.generation.count({ where: { platform: "LINE" } });
    expect(body).toHaveLength(lineCount);
    expect(new Set(body.map((r) => r.platform))).toEqual(new Set(["LINE"]));
    const tricky = body.find((r) => r.topic?.includes("SUM"));
    // Quotes, commas and the line break survive; a formula in mid-field is harmless and stays as typed.
    expect(tricky?.topic).toBe(TRICKY_TOPIC);
    expect(text).toContain(`"Retail, ""AI"" and =SUM(A1) ideas\nfor 2030"`);
    expect(text.split("\r\n").length).toBeGreaterThan(lineCount);
  });

  it("defuses spreadsheet formulas at the start of a field", async () => {
    const g = await h.app.db.prisma.generation.findUniqueOrThrow({ where: { id: activity.generations[1]! } });
    await h.app.db.prisma.generation.update({
      where: { id: g.id },
      data: { topic: '=HYPERLINK("http://evil")' },
    });
    const text = await (await get(`/generations.csv?q=HYPERLINK`)).text();
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    expect(rows[1]![rows[0]!.indexOf("topic")]).toBe(`'=HYPERLINK("http://evil")`);
  });

  it("streams a large export in pages", async () => {
    const g = await h.app.db.prisma.generation.findUniqueOrThrow({ where: { id: activity.generations[2]! } });
    const { id: _id, requestKey: _rk, ...rest } = g;
    await h.app.db.prisma.generation.createMany({
      data: Array.from({ length: 1_234 }, (_, i) => ({
        ...rest,
        request: rest.request ?? {},
        sources: rest.sources ?? [],
        qualityChecks: undefined,
        judge: undefined,
        deliveryState: undefined,
        requestKey: `bulk-${i}`,
        topic: `Bulk ${i}`,
        createdAt: new Date(Date.now() - 86_400_000 * 40 - i * 1000),
      })),
    });
    const text = await (await get("/generations.csv?q=Bulk")).text();
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1 + 1_234);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(1_234);
  });
});

describe("corpus", () => {
  const multipart = (
    files: Array<{ name: string; body: string | Uint8Array; type?: string }>,
    cookie = adminCookie,
  ) => {
    const form = new FormData();
    for (const f of files)
      form.append("files", new Blob([f.body as BlobPart], { type: f.type ?? "text/markdown" }), f.name);
    return fetch(`${base}/corpus`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: base },
      body: form,
    });
  };

  it("ingests good Markdown, explains each bad file, and deletes from the vector store too", async () => {
    const vectorsBefore = await h.pipeline.retrieval.store.count();
    const res = await multipart([
      {
        name: "smart-ports.md",
        body: "---\ntitle: Smart ports\nindustry: logistics\n---\n# Smart ports\n\nPorts use sensors and AI to cut waiting times for ships and trucks.\n\n## Why now\n\nCongestion costs shippers billions every year.",
      },
      { name: "notes.txt", body: "plain text", type: "text/plain" },
      { name: "binary.md", body: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) },
      { name: "empty.md", body: "" },
    ]);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("1 of 4 files in the corpus.");
    expect(html).toContain("Only Markdown files (.md) can be added to the corpus.");
    expect(html).toContain("This is not a UTF-8 text file.");
    expect(html).toContain("The file is empty.");
    const doc = await h.app.db.prisma.corpusDocument.findUniqueOrThrow({
      where: { source: "smart-ports.md" },
    });
    expect(doc).toMatchObject({ title: "Smart ports", industry: "logistics" });
    expect(await h.pipeline.retrieval.store.count()).toBe(vectorsBefore + doc.chunkCount);
    expect((await audits("corpus.upload"))[0]?.after).toMatchObject({
      files: expect.arrayContaining([expect.objectContaining({ name: "smart-ports.md", status: "added" })]),
    });

    const del = await post("/corpus", { intent: "delete", id: doc.id });
    expect(del.status).toBe(200);
    expect(await h.app.db.prisma.corpusDocument.findUnique({ where: { id: doc.id } })).toBeNull();
    expect(await h.pipeline.retrieval.store.count()).toBe(vectorsBefore);
    expect((await audits("corpus.delete"))[0]).toMatchObject({
      entityId: doc.id,
      before: expect.objectContaining({ source: "smart-ports.md" }),
    });
  });

  it("refuses uploads that are too large, empty or not multipart, and viewers' uploads", async () => {
    const big = await multipart([{ name: "big.md", body: `# Big\n\n${"word ".repeat(5 * 1024 * 1024)}` }]);
    expect(big.status).toBe(413);
    expect(await big.text()).toContain("That upload is too large");
    const none = await multipart([]);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("Choose one or more .md files to upload.");
    const viewer = await multipart([{ name: "x.md", body: "# X\n\nText here." }], viewerCookie);
    expect(viewer.status).toBe(403);
    expect(await h.app.db.prisma.corpusDocument.count({ where: { source: "x.md" } })).toBe(0);
  });
});

describe("playground", () => {
  it("queues an article as a console requester on the chosen tier and serves its chunks as JSON", async () => {
    const pro = await tierByName("Pro");
    const bad = await post("/playground", { requester: "", tierId: pro.id, text: "" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain("Enter a requester name.");
    expect(badHtml).toContain("Enter what the article should be about.");

    const res = await post("/playground", {
      requester: "QA Desk",
      tierId: pro.id,
      text: "write an article about smart factories for COOs, 300 words",
    });
    expect(res.status).toBe(302);
    const id = new URL(res.headers.get("location")!, base).searchParams.get("g")!;
    const requester = await h.app.db.prisma.requester.findFirstOrThrow({
      where: { externalId: "playground:qa-desk" },
      include: { tier: true },
    });
    expect(requester.tier?.name).toBe("Pro");
    let state: { done: boolean; chunks: Array<{ index: number; text: string }>; status: string } | null =
      null;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await get(`/playground/${id}/chunks`);
      expect(r.headers.get("content-type")).toContain("application/json");
      state = await r.json();
      if (state!.done) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state?.status).toBe("DELIVERED");
    expect(state!.chunks.length).toBeGreaterThan(0);
    expect(state!.chunks.map((c) => c.index)).toEqual(state!.chunks.map((_, i) => i));
    expect((await audits("playground.request")).at(-1)).toMatchObject({
      entityId: id,
      after: expect.objectContaining({ requester: "QA Desk", tier: "Pro", result: "queued" }),
    });
    expect((await get("/playground/nope/chunks")).status).toBe(404);

    const guidance = await post("/playground", { requester: "QA Desk", tierId: pro.id, text: "help" });
    // The bot's guidance is its reply in the thread, not a red error.
    expect(guidance.status).toBe(200);
    const guidanceHtml = await guidance.text();
    expect(guidanceHtml).toContain('data-testid="guidance"');
    expect(guidanceHtml).toContain("I write business-article drafts");
    expect(guidanceHtml).not.toContain('class="notice error"');
  });
});

describe("accounts from the command line", () => {
  it("adds a viewer who can sign in, and disables them again", async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ["--import", "tsx", path.resolve(import.meta.dirname, "../../core/admin/cli.ts"), ...args],
        {
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "",
            DATABASE_URL: (h.app.config.database as { url: string }).url,
            LOG_LEVEL: "silent",
          },
        },
      );
    const added = await run("add", "Auditor@Example.com", "viewer", "Outside", "auditor");
    const password = /password: (\S+) \(shown once\)/.exec(added.stdout)?.[1];
    expect(password).toBeDefined();
    const res = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base },
      body: new URLSearchParams({ email: "auditor@example.com", password: password! }),
    });
    expect(res.status).toBe(302);
    const user = await h.app.db.prisma.adminUser.findUniqueOrThrow({
      where: { email: "auditor@example.com" },
    });
    expect(user).toMatchObject({ role: "VIEWER", name: "Outside auditor" });
    await expect(run("add", "auditor@example.com", "admin")).rejects.toMatchObject({
      stderr: expect.stringContaining("already has an account"),
    });
    await run("disable", "auditor@example.com");
    const cookie = res.headers.getSetCookie()[0]!.split(";")[0]!;
    expect((await get("/", cookie)).status).toBe(302); // the session ended with the account
    expect((await audits("admin-user.create"))[0]).toMatchObject({
      entityId: user.id,
      after: { role: "VIEWER" },
    });
  });
});

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}
