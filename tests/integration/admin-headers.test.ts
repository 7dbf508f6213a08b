import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdmin } from "../../admin/server.ts";
import { hashPassword } from "../../core/admin/password.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { createPostgresDatabase, type TestDatabase } from "../helpers/services.ts";

/**
 * The headers of every console page, signed in and not, as the production server sends them
 * (HTTPS assumed: HSTS, `__Host-` cookie) and as development sends them (neither).
 */
const SERVER_BUILD = path.resolve(import.meta.dirname, "../../build/server/index.js");
const EMAIL = "headers@example.com";
const PASSWORD = "correct horse battery staple";
const MISSING = "00000000-0000-0000-0000-000000000000";
/** Every route in admin/app/routes.ts; pages with an id get one that does not exist (a 404 page). */
const PAGES = [
  "/",
  "/generations",
  `/generations/${MISSING}`,
  "/quality",
  "/requesters",
  `/requesters/${MISSING}`,
  "/workspaces",
  "/tiers",
  "/tiers/new",
  `/tiers/${MISSING}`,
  "/cache",
  `/cache/${MISSING}`,
  "/corpus",
  "/models",
  "/playground",
  "/audit",
  "/generations.csv",
  `/playground/${MISSING}/chunks`,
];

let target: TestDatabase;
let db: Database;
const consoles: Array<{ close(): Promise<void> }> = [];
const pipelines: Pipeline[] = [];
let production: string;
let development: string;

async function start(env: Record<string, string>): Promise<string> {
  const config = loadConfig({
    LOG_LEVEL: "silent",
    DATABASE_URL: target.url,
    PORT: "0",
    ADMIN_PORT: "0",
    ...env,
  });
  const app: AppContext = { config, logger: createLogger("silent"), db, redis: null };
  const pipeline = createPipeline(app);
  pipelines.push(pipeline);
  const server = await startAdmin(app, { host: "127.0.0.1", port: 0, pipeline });
  consoles.push(server);
  return server.url;
}

beforeAll(async () => {
  if (!existsSync(SERVER_BUILD))
    throw new Error(`Console not built: ${SERVER_BUILD} is missing. Run \`npm run build\` first.`);
  target = await createPostgresDatabase("ab_admin_headers");
  db = await openDatabase(loadConfig({ LOG_LEVEL: "silent", DATABASE_URL: target.url }));
  await db.migrate();
  await db.prisma.adminUser.create({
    data: { email: EMAIL, name: "Headers", role: "ADMIN", passwordHash: await hashPassword(PASSWORD) },
  });
  production = await start({ NODE_ENV: "production", SESSION_SECRET: "s".repeat(32) });
  development = await start({ NODE_ENV: "test" });
});

afterAll(async () => {
  for (const c of consoles) await c.close();
  for (const p of pipelines) await p.close();
  await db?.close();
  await target?.drop();
});

async function signIn(base: string): Promise<{ cookie: string; setCookie: string }> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base },
    body: new URLSearchParams({ email: EMAIL, password: PASSWORD, redirectTo: "/" }),
  });
  expect(res.status).toBe(302);
  const setCookie = res.headers.getSetCookie().find((c) => c.includes("ab_session="))!;
  return { cookie: setCookie.split(";")[0]!, setCookie };
}

const get = (base: string, pathname: string, cookie?: string) =>
  fetch(base + pathname, { redirect: "manual", headers: cookie ? { cookie } : {} });

/** The CSP's directives by name, and its script nonce. */
function policy(res: Response): { directives: Map<string, string>; nonce: string | undefined } {
  const header = res.headers.get("content-security-policy") ?? "";
  const directives = new Map(
    header.split(";").map((d) => {
      const [name, ...values] = d.trim().split(" ");
      return [name!, values.join(" ")] as const;
    }),
  );
  const nonce = directives
    .get("script-src")
    ?.split(" ")
    .find((v) => v.startsWith("'nonce-"));
  return { directives, nonce: nonce?.slice("'nonce-".length, -1) };
}

function expectStrictPolicy(res: Response, label: string) {
  const { directives, nonce } = policy(res);
  expect(directives.get("default-src"), label).toBe("'self'");
  expect(directives.get("script-src"), label).toBe(`'self' 'nonce-${nonce}'`);
  expect(nonce, label).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(directives.get("style-src"), label).toBe("'self'");
  expect(directives.get("object-src"), label).toBe("'none'");
  expect(directives.get("base-uri"), label).toBe("'none'");
  expect(directives.get("frame-ancestors"), label).toBe("'none'");
  expect(res.headers.get("x-content-type-options"), label).toBe("nosniff");
  expect(res.headers.get("x-frame-options"), label).toBe("DENY");
  expect(res.headers.get("referrer-policy"), label).toBe("same-origin");
}

/** Every <script> in the page carries the response's nonce, or the browser would not run it. */
function expectScriptsNonced(html: string, nonce: string, label: string) {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, label).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, label).toContain(`nonce="${nonce}"`);
}

describe("console headers", () => {
  it("sends a strict CSP, no-store and HSTS on every signed-in page in production", async () => {
    const { cookie } = await signIn(production);
    for (const page of PAGES) {
      const res = await get(production, page, cookie);
      expect([200, 404], page).toContain(res.status);
      expectStrictPolicy(res, page);
      expect(res.headers.get("cache-control"), page).toBe("no-store");
      expect(res.headers.get("strict-transport-security"), page).toBe("max-age=31536000");
      const body = await res.text();
      if (res.headers.get("content-type")?.startsWith("text/html"))
        expectScriptsNonced(body, policy(res).nonce!, page);
    }
  });

  it("gives the sign-in page, redirects and static files the same policy, and each page a fresh nonce", async () => {
    const login = await get(production, "/login");
    expect(login.status).toBe(200);
    expectStrictPolicy(login, "/login");
    expect(login.headers.get("cache-control")).toBe("no-store");
    const html = await login.text();
    const nonce = policy(login).nonce!;
    expectScriptsNonced(html, nonce, "/login");
    const again = await get(production, "/login");
    expect(policy(again).nonce).not.toBe(nonce);

    const redirect = await get(production, "/");
    expect(redirect.status).toBe(302);
    expectStrictPolicy(redirect, "redirect");
    expect(redirect.headers.get("cache-control")).toBe("no-store");

    const stylesheet = html.match(/href="(\/assets\/[^"]+\.css)"/)![1]!;
    const asset = await get(production, stylesheet);
    expect(asset.status).toBe(200);
    expectStrictPolicy(asset, stylesheet);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("names the session cookie __Host-… in production (Secure, Path=/, no Domain)", async () => {
    const { cookie, setCookie } = await signIn(production);
    expect(cookie).toMatch(/^__Host-ab_session=[A-Za-z0-9_-]{43}$/);
    expect(setCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    // The unprefixed name opens nothing there: a cookie planted without Secure is not the session.
    const bare = cookie.replace("__Host-", "");
    expect((await get(production, "/", bare)).status).toBe(302);
    expect((await get(production, "/", cookie)).status).toBe(200);
  });

  it("sends no HSTS and keeps the plain cookie name when not in production (no HTTPS assumed)", async () => {
    const { cookie, setCookie } = await signIn(development);
    expect(cookie).toMatch(/^ab_session=/);
    expect(setCookie).not.toContain("Secure");
    const res = await get(development, "/", cookie);
    expect(res.status).toBe(200);
    expectStrictPolicy(res, "development /");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
});
