import { createHash } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../core/admin/password.ts";
import type { Database } from "../../core/db/client.ts";
import { openTestConsole, type TestConsole } from "../helpers/test-console.ts";

/** The console over real HTTP, from its built output, against a fresh PostgreSQL database. */
const EMAIL = "ops@example.com";
const PASSWORD = "correct horse battery staple";

let db: Database;
let console_: TestConsole;
let base: string;

beforeAll(async () => {
  console_ = await openTestConsole({
    prefix: "ab_admin",
    user: { email: EMAIL, password: PASSWORD, name: "Ops", role: "ADMIN" },
  });
  ({ db } = console_);
  base = console_.url;
});

afterAll(async () => {
  await console_?.close();
});

const get = (pathname: string, cookie?: string) =>
  fetch(base + pathname, { redirect: "manual", headers: cookie ? { cookie } : {} });

function post(
  pathname: string,
  form: Record<string, string>,
  opts: { origin?: string | null; cookie?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.origin !== null) headers.origin = opts.origin ?? base;
  if (opts.cookie) headers.cookie = opts.cookie;
  return fetch(base + pathname, {
    method: "POST",
    redirect: "manual",
    headers,
    body: new URLSearchParams(form),
  });
}

/** Signs in and returns the `name=value` pair of the session cookie plus the raw Set-Cookie. */
async function signIn(email = EMAIL, password = PASSWORD): Promise<{ cookie: string; setCookie: string }> {
  const res = await post("/login", { email, password, redirectTo: "/" });
  expect(res.status).toBe(302);
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("ab_session="));
  expect(setCookie).toBeDefined();
  return { cookie: setCookie!.split(";")[0]!, setCookie: setCookie! };
}

const sessionRowId = (cookie: string) =>
  createHash("sha256").update(cookie.slice("ab_session=".length)).digest("hex");

/** A raw request, so the path reaches the server exactly as written (fetch would normalise it). */
function rawGet(pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/`, { path: pathname }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
      .on("error", reject);
  });
}

describe("admin console", () => {
  it("sends a visitor without a session to the sign-in page", async () => {
    const res = await get("/");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    const deep = await get("/somewhere?x=1");
    expect(deep.status).toBe(404); // unknown pages are not guarded routes
  });

  it("serves a styled sign-in page and its hashed assets with long cache headers", async () => {
    const res = await get("/login");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    const html = await res.text();
    expect(html).toContain("Sign in");
    const css = /href="(\/assets\/styles-[\w-]+\.css)"/.exec(html)?.[1];
    expect(css).toBeDefined();
    const asset = await get(css!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await asset.text()).toContain(".card");
  });

  it("never serves files outside the client build", async () => {
    expect(await rawGet("/assets/%2e%2e/%2e%2e/server/index.js")).toBe(404);
    expect(await rawGet("/assets/../../package.json")).toBe(404);
    expect(await rawGet("/%2e%2e/package.json")).toBe(404);
    expect(await rawGet("/assets/nope.js")).toBe(404);
  });

  it("shows field errors for an empty form", async () => {
    const res = await post("/login", { email: "", password: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Enter your email address.");
    expect(html).toContain("Enter your password.");
  });

  it("refuses a wrong password with a generic message and no session", async () => {
    const res = await post("/login", { email: EMAIL, password: "not the password" });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("The email or password is wrong.");
    expect(res.headers.getSetCookie()).toEqual([]);
    const unknown = await post("/login", { email: "nobody@example.com", password: "whatever-it-is" });
    expect(await unknown.text()).toContain("The email or password is wrong.");
  });

  it("refuses sign-in posted from another site, or with no origin at all", async () => {
    for (const origin of ["https://evil.example", "null", null]) {
      const res = await post("/login", { email: EMAIL, password: PASSWORD }, { origin });
      expect(res.status).toBe(403);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // A Referer from this site stands in for a missing Origin (older browsers).
    const res = await fetch(`${base}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { referer: `${base}/login` },
      body: new URLSearchParams({ email: EMAIL, password: PASSWORD }),
    });
    expect(res.status).toBe(302);
  });

  it("signs in with a session cookie that opens the console", async () => {
    const { cookie, setCookie } = await signIn();
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // NODE_ENV=test serves plain HTTP
    expect(cookie).toMatch(/^ab_session=[A-Za-z0-9_-]{43}$/);

    const row = await db.prisma.adminSession.findUniqueOrThrow({
      where: { id: sessionRowId(cookie) },
      include: { user: true },
    });
    expect(row.user.email).toBe(EMAIL);
    expect(row.ip).toBe("127.0.0.1");
    expect(row.user.lastLoginAt).not.toBeNull();
    expect(await db.prisma.auditLog.count({ where: { action: "session.create", entityId: row.id } })).toBe(1);

    const home = await get("/", cookie);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain(EMAIL);
    expect(html).toContain("Admin");
    expect(html).toContain("PostgreSQL"); // the configured database, from describeConfig
    expect(html).toContain("Tiers in use");
    expect((await get("/login", cookie)).headers.get("location")).toBe("/"); // already signed in
  });

  it("goes back to the page that asked for sign-in, but never to another site", async () => {
    expect((await get("/logout")).headers.get("location")).toBe("/");
    const res = await post("/login", { email: EMAIL, password: PASSWORD, redirectTo: "//evil.example/" });
    expect(res.headers.get("location")).toBe("/");
  });

  it("rotates the session on sign-in: the cookie the browser carried stops working", async () => {
    const first = await signIn();
    const res = await post(
      "/login",
      { email: EMAIL, password: PASSWORD, redirectTo: "/" },
      { cookie: first.cookie },
    );
    expect(res.status).toBe(302);
    const second = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("ab_session="))!
      .split(";")[0]!;
    expect(second).not.toBe(first.cookie);
    expect((await get("/", first.cookie)).status).toBe(302);
    expect((await get("/", second)).status).toBe(200);
    const old = await db.prisma.adminSession.findUniqueOrThrow({ where: { id: sessionRowId(first.cookie) } });
    expect(old.revokedAt).not.toBeNull();
  });

  it("signs out: the session row is revoked and the old cookie no longer works", async () => {
    const { cookie } = await signIn();
    const res = await post("/logout", {}, { cookie });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    expect(res.headers.getSetCookie().join()).toMatch(/ab_session=; Max-Age=0/);
    const row = await db.prisma.adminSession.findUniqueOrThrow({ where: { id: sessionRowId(cookie) } });
    expect(row.revokedAt).not.toBeNull();
    const after = await get("/", cookie);
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toBe("/login");
  });

  it("refuses a cross-site sign-out", async () => {
    const { cookie } = await signIn();
    expect((await post("/logout", {}, { cookie, origin: "https://evil.example" })).status).toBe(403);
    expect(
      (await db.prisma.adminSession.findUniqueOrThrow({ where: { id: sessionRowId(cookie) } })).revokedAt,
    ).toBeNull();
  });

  it("slides the 12-hour expiry forward while the admin keeps using the console", async () => {
    const { cookie } = await signIn();
    const id = sessionRowId(cookie);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await db.prisma.adminSession.update({
      where: { id },
      data: { lastSeenAt: tenMinutesAgo, expiresAt: new Date(Date.now() + 60_000) },
    });
    expect((await get("/", cookie)).status).toBe(200);
    const row = await db.prisma.adminSession.findUniqueOrThrow({ where: { id } });
    expect(row.lastSeenAt.getTime()).toBeGreaterThan(tenMinutesAgo.getTime());
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(11.9 * 3600_000);
  });

  it("rejects expired sessions and sessions of disabled users", async () => {
    const expired = await signIn();
    await db.prisma.adminSession.update({
      where: { id: sessionRowId(expired.cookie) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await get("/", expired.cookie)).status).toBe(302);

    const email = "viewer@example.com";
    await db.prisma.adminUser.create({
      data: { email, role: "VIEWER", passwordHash: await hashPassword(PASSWORD) },
    });
    const viewer = await signIn(email);
    const home = await get("/", viewer.cookie);
    expect(await home.text()).toContain("Viewer (read-only)");
    await db.prisma.adminUser.update({ where: { email }, data: { disabledAt: new Date() } });
    expect((await get("/", viewer.cookie)).status).toBe(302);
    expect((await post("/login", { email, password: PASSWORD })).status).toBe(401); // disabled: same generic answer
  });

  it("backs off after repeated failures, says when to try again, and lets the owner in after the wait", async () => {
    const email = "target@example.com";
    await db.prisma.adminUser.create({
      data: { email, role: "ADMIN", passwordHash: await hashPassword(PASSWORD) },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await post("/login", { email, password: `guess-${i}` })).status);
    // Five are free; the sixth failure starts a 1-second wait, doubling with each one after.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Even the right password waits it out.
    const res = await post("/login", { email, password: PASSWORD });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.text()).toContain("Too many failed sign-ins. Try again in 1 minute.");
    expect(res.headers.getSetCookie()).toEqual([]);
    // A wait of seconds, not a day: once it passes, the owner signs in.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await post("/login", { email, password: PASSWORD })).status).toBe(302);
  });
});
