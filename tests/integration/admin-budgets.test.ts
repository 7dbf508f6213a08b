import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleHarness, PASSWORD, startConsoleHarness } from "../browser/harness.ts";

/**
 * Budgets and accounts in the console over real HTTP (the built app): workspace caps on
 * Workspaces, the overall caps and alert destinations on Budgets, the Overview's
 * overall budget, changing your own password and resetting another admin's, each audited.
 */

let h: ConsoleHarness;
let base: string;
let adminCookie: string;

beforeAll(async () => {
  h = await startConsoleHarness({ prefix: "ab_admin_budgets" });
  base = h.url;
  adminCookie = await signIn(h.admin.email);
});
afterAll(async () => {
  await h?.close();
});

async function signIn(email: string, password = PASSWORD): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base },
    body: new URLSearchParams({ email, password }),
  });
  expect(res.status).toBe(302);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith("ab_session="))!
    .split(";")[0]!;
}

const get = (path: string, cookie = adminCookie) =>
  fetch(base + path, { redirect: "manual", headers: { cookie } });
const post = (path: string, form: Record<string, string>, cookie = adminCookie) =>
  fetch(base + path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, origin: base },
    body: new URLSearchParams(form),
  });
const audits = (action: string) =>
  h.app.db.prisma.auditLog.findMany({ where: { action }, orderBy: { createdAt: "asc" } });

describe("budgets in the console", () => {
  it("saves a workspace's caps, shows its month as used/limit, and audits the change", async () => {
    const tier = await h.app.db.prisma.tier.findFirstOrThrow();
    const t = await h.app.db.prisma.tenant.create({
      data: { platform: "LINE", externalId: "Cbudget", name: "Budget Channel", defaultTierId: tier.id },
    });
    const bad = await post("/workspaces", {
      intent: "limits",
      id: t.id,
      dailyArticleLimit: "ten",
      monthlyBudgetUsd: "",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Enter the daily article cap as a whole number");
    const ok = await post("/workspaces", {
      intent: "limits",
      id: t.id,
      dailyArticleLimit: "25",
      monthlyBudgetUsd: "40",
    });
    expect(ok.status).toBe(200);
    expect(await h.app.db.prisma.tenant.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({
      dailyArticleLimit: 25,
    });
    const [row] = await audits("workspace.limits");
    expect(row).toMatchObject({
      entityId: t.id,
      before: { dailyArticleLimit: null, monthlyBudgetUsd: null },
      after: { dailyArticleLimit: 25, monthlyBudgetUsd: "40.00" },
    });
    const page = await (await get("/workspaces?q=Budget")).text();
    expect(page).toContain(" of $40.00 (0%)");
    // Blank again: back to the environment default (none here).
    await post("/workspaces", { intent: "limits", id: t.id, dailyArticleLimit: "", monthlyBudgetUsd: "" });
    expect(await h.app.db.prisma.tenant.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({
      dailyArticleLimit: null,
      monthlyBudgetUsd: null,
    });
  });

  it("saves the overall caps and alert destinations, audits them without the webhook URL, and shows them on the Overview", async () => {
    const bad = await post("/settings", {
      dailySpendUsd: "",
      monthlyBudgetUsd: "",
      alertWebhookUrl: "http://example.com/hook",
      alertEmail: "not an email",
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain("Enter the webhook&#x27;s https:// URL");
    expect(text).toContain("Enter an email address, or leave it blank.");
    const ok = await post("/settings", {
      dailySpendUsd: "5",
      monthlyBudgetUsd: "120.50",
      alertWebhookUrl: "https://hooks.slack.com/services/T0/B0/secret",
      alertEmail: "admins@example.com",
    });
    expect(ok.status).toBe(200);
    expect(await h.app.db.prisma.limitSettings.findUniqueOrThrow({ where: { id: "global" } })).toMatchObject({
      alertWebhookUrl: "https://hooks.slack.com/services/T0/B0/secret",
      alertEmail: "admins@example.com",
    });
    const [row] = await audits("settings.limits");
    expect(row?.after).toEqual({
      dailySpendUsd: "5.00",
      monthlyBudgetUsd: "120.50",
      alertWebhookUrl: "(set)",
      alertEmail: "admins@example.com",
    });
    const overview = await (await get("/")).text();
    expect(overview).toContain("Overall budget used");
    expect(overview).toContain("of $120.50");
    expect(overview).not.toContain("requesters with a budget");
  });
});

describe("accounts in the console", () => {
  it("changes your own password: the old one stops working and your other sessions end, this one stays", async () => {
    const other = await signIn(h.viewer.email);
    const here = await signIn(h.viewer.email);
    const wrong = await post(
      "/account",
      { intent: "change", current: "nope", password: "a new long password", confirm: "a new long password" },
      here,
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password.");
    const changed = await post(
      "/account",
      {
        intent: "change",
        current: PASSWORD,
        password: "a new long password",
        confirm: "a new long password",
      },
      here,
    );
    expect(changed.status).toBe(200);
    expect((await get("/account", here)).status).toBe(200);
    expect((await get("/account", other)).status).toBe(302);
    const login = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: base },
      body: new URLSearchParams({ email: h.viewer.email, password: PASSWORD }),
    });
    expect(login.status).not.toBe(302);
    await signIn(h.viewer.email, "a new long password");
    const [row] = await audits("admin-user.password-change");
    expect(row?.after).toEqual({ sessionsEnded: 1 });
  });

  it("an admin resets another account's password: it is shown once, their sessions end; a viewer cannot", async () => {
    const viewer = await signIn(h.viewer.email, "a new long password");
    const target = await h.app.db.prisma.adminUser.findFirstOrThrow({ where: { email: h.viewer.email } });
    expect((await post("/account", { intent: "reset", id: h.admin.id }, viewer)).status).toBe(403);
    const page = await (await get("/account")).text();
    expect(page).toContain(`Reset password of ${h.viewer.email}`);
    const reset = await post("/account", { intent: "reset", id: target.id });
    expect(reset.status).toBe(200);
    const html = await reset.text();
    const generated = /data-testid="generated-password">([^<]+)</.exec(html)?.[1];
    expect(generated).toMatch(/^[\w-]{16}$/);
    expect((await get("/account", viewer)).status).toBe(302);
    await signIn(h.viewer.email, generated);
    const [row] = await audits("admin-user.password-reset");
    expect(row).toMatchObject({ entityId: target.id, actorEmail: h.admin.email });
  });
});
