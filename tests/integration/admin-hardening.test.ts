import { createHash, createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdmin } from "../../admin/server.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import type { Database } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import type { TestDatabase } from "../helpers/services.ts";
import { openTestConsole, type TestConsole } from "../helpers/test-console.ts";

/** The console against hostile requests: oversized and endless bodies, redirects elsewhere. */
const EMAIL = "sec@example.com";
const PASSWORD = "correct horse battery staple";

let target: TestDatabase;
let db: Database;
let console_: TestConsole;
let pipeline: Pipeline;
let base: string;

beforeAll(async () => {
  console_ = await openTestConsole({
    prefix: "ab_admin_sec",
    user: { email: EMAIL, password: PASSWORD, name: "Sec", role: "ADMIN" },
  });
  ({ target, db, pipeline } = console_);
  base = console_.url;
});

afterAll(async () => {
  await console_?.close();
});

interface RawAnswer {
  status: number;
  body: string;
  /** Bytes the client managed to hand to the socket before the answer came. */
  sent: number;
}

/**
 * POSTs a chunked body (no Content-Length) of `total` bytes, written 16 KiB at a time while the
 * server lets it, and resolves with the answer as soon as it arrives.
 */
function chunkedPost(pathname: string, total: number, contentType: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const req = http.request(`${base}${pathname}`, {
      method: "POST",
      headers: { origin: base, "content-type": contentType, "transfer-encoding": "chunked" },
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sent }));
      res.on("error", reject);
    });
    req.on("error", () => {}); // the server may close on us once it has answered; the answer is what counts
    const piece = Buffer.alloc(16 * 1024, "a");
    const write = () => {
      while (sent < total && !req.destroyed) {
        sent += piece.byteLength;
        if (!req.write(piece)) return void req.once("drain", write);
      }
      if (!req.destroyed) req.end();
    };
    write();
  });
}

const form = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: base, "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });

describe("console request bodies", () => {
  it("refuses a chunked sign-in body past 64 KiB with 413, without reading it all", async () => {
    const answer = await chunkedPost("/login", 64 * 1024 * 1024, "application/x-www-form-urlencoded");
    expect(answer.status).toBe(413);
    expect(answer.body).toBe(
      "Too large: a console form may send at most 64 KiB (corpus files go through the upload form).",
    );
    // The answer came long before the 64 MiB were sent.
    expect(answer.sent).toBeLessThan(32 * 1024 * 1024);
  });

  it("refuses a declared Content-Length past 64 KiB before reading it", async () => {
    const res = await form(`email=${"a".repeat(70 * 1024)}`);
    expect(res.status).toBe(413);
  });

  it("still reads an ordinary form under the cap", async () => {
    const res = await form(
      new URLSearchParams({ email: EMAIL, password: "wrong", padding: "x".repeat(60 * 1024) }).toString(),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("The email or password is wrong.");
  });

  it("treats multipart anywhere but the corpus upload as a form, capped the same", async () => {
    const answer = await chunkedPost("/login", 8 * 1024 * 1024, "multipart/form-data; boundary=x");
    expect(answer.status).toBe(413);
  });

  it("does not read an upload for someone who is not signed in", async () => {
    const answer = await chunkedPost("/corpus", 64 * 1024 * 1024, "multipart/form-data; boundary=x");
    expect(answer.status).toBe(302);
    expect(answer.sent).toBeLessThan(32 * 1024 * 1024);
  });
});

describe("sign-in throttle behind a proxy (TRUST_PROXY=1)", () => {
  it("keys on the client X-Forwarded-For names, so one guesser does not lock out the office", async () => {
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: target.url,
      PORT: "0",
      ADMIN_PORT: "0",
      TRUST_PROXY: "1",
    });
    const app: AppContext = { config, logger: createLogger("silent"), db, redis: null };
    const proxied = await startAdmin(app, { host: "127.0.0.1", port: 0, pipeline });
    const attempt = (client: string, email: string, password: string) =>
      fetch(`${proxied.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { origin: proxied.url, "x-forwarded-for": client },
        body: new URLSearchParams({ email, password }),
      }).then((r) => r.status);
    try {
      const guesses: number[] = [];
      // Every request reaches the console from the same TCP peer (the "proxy", 127.0.0.1).
      for (let i = 0; i < 21; i++)
        guesses.push(await attempt("203.0.113.1", `nobody${i}@example.com`, "guess"));
      expect(guesses.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(guesses[20]).toBe(429);
      expect(await attempt("203.0.113.1", EMAIL, PASSWORD)).toBe(429);
      // A colleague behind the same proxy is not held up by the guesser.
      expect(await attempt("203.0.113.2", EMAIL, PASSWORD)).toBe(302);
    } finally {
      await proxied.close();
    }
  });
});

describe("SESSION_SECRET keys the session-token hash", () => {
  it("a row written with the plain SHA-256 of a known token opens nothing; a real sign-in works", async () => {
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: target.url,
      PORT: "0",
      ADMIN_PORT: "0",
      SESSION_SECRET: "s".repeat(40),
    });
    const app: AppContext = { config, logger: createLogger("silent"), db, redis: null };
    const keyed = await startAdmin(app, { host: "127.0.0.1", port: 0, pipeline });
    try {
      const user = await db.prisma.adminUser.findFirstOrThrow({ where: { email: EMAIL } });
      const token = randomBytes(32).toString("base64url");
      await db.prisma.adminSession.create({
        data: {
          id: createHash("sha256").update(token).digest("hex"),
          userId: user.id,
          ip: "127.0.0.1",
          userAgent: "forged",
          lastSeenAt: new Date(),
          expiresAt: new Date(Date.now() + 3600_000),
        },
      });
      const forged = await fetch(`${keyed.url}/`, {
        redirect: "manual",
        headers: { cookie: `ab_session=${token}` },
      });
      expect(forged.status).toBe(302);
      expect(forged.headers.get("location")).toBe("/login");

      const signIn = await fetch(`${keyed.url}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { origin: keyed.url },
        body: new URLSearchParams({ email: EMAIL, password: PASSWORD }),
      });
      expect(signIn.status).toBe(302);
      const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
      const real = cookie.slice("ab_session=".length);
      expect(
        await db.prisma.adminSession.count({
          where: { id: createHmac("sha256", "s".repeat(40)).update(real).digest("hex") },
        }),
      ).toBe(1);
      expect((await fetch(`${keyed.url}/`, { redirect: "manual", headers: { cookie } })).status).toBe(200);
    } finally {
      await keyed.close();
    }
  });
});
