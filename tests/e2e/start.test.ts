import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ROOT, type Started, startProduct } from "../helpers/process.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../helpers/services.ts";

describe("npm start on embedded defaults, fresh DATA_DIR", () => {
  let dataDir: string;
  let product: Started;
  let port: number;
  let adminPort: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ab-start-"));
    [port, adminPort] = [await freePort(), await freePort()];
    product = startProduct({ DATA_DIR: dataDir, PORT: String(port), ADMIN_PORT: String(adminPort) });
    await product.waitFor("Article Bot is running");
  });
  afterAll(async () => {
    await product?.stop("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints what is configured, the URLs and the generated admin password", () => {
    const out = product.output();
    expect(out).toContain("PGlite (embedded)");
    expect(out).toContain(`http://127.0.0.1:${port}`);
    expect(out).toContain(`http://127.0.0.1:${adminPort}`);
    expect(out).toMatch(/First console admin created: admin@articlebot\.local \/ [\w-]{16}/);
  });

  it("answers /healthz, /readyz and /metrics", async () => {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ checks: { database: "ok", redis: "embedded" } });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain("# TYPE article_requests_total counter");
    expect(metrics).toContain("process_resident_memory_bytes");
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it("serves the console, which asks for a sign-in", async () => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });

  it("refuses a second process on the same DATA_DIR with a clear message", async () => {
    const second = startProduct({
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      ADMIN_PORT: String(await freePort()),
    });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain("is in use by process");
    expect(second.output()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("shuts down cleanly on SIGTERM and keeps its data for the next start, compiled as npm start runs it", async () => {
    expect(await product.stop("SIGTERM")).toBe(0);
    expect(existsSync(path.join(dataDir, "pglite.lock"))).toBe(false);
    // What `npm start` runs: dist/main.js, which prestart compiles (decision 145).
    const built = spawnSync(process.execPath, [path.join(ROOT, "ops", "build-server.mjs")], {
      encoding: "utf8",
    });
    expect(built.status, built.stderr).toBe(0);
    const again = startProduct(
      { DATA_DIR: dataDir, PORT: String(port), ADMIN_PORT: String(adminPort) },
      undefined,
      { compiled: true },
    );
    await again.waitFor("Article Bot is running");
    expect(again.output()).not.toContain("First console admin created"); // same database, admin already there
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    // The bundle still finds the console's build and the migrations beside their sources.
    expect((await fetch(`http://127.0.0.1:${adminPort}/login`)).status).toBe(200);
    expect(await again.stop("SIGTERM")).toBe(0);
  });
});

describe("start-up refusals", () => {
  it("stops on a bad variable with one clear line and no stack trace", async () => {
    const run = startProduct({ PORT: "eighty", DATA_DIR: "/nonexistent" });
    expect(await run.exited).toBe(1);
    expect(run.output().trim()).toBe(
      'Configuration error: PORT must be a whole number between 0 and 65535 (got "eighty")',
    );
  });

  it("refuses to run one part alone on the embedded database", async () => {
    const run = startProduct({ DATA_DIR: "/nonexistent" }, "worker");
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("`npm run worker` needs DATABASE_URL");
  });
});

describe("npm run bot and npm run worker against PostgreSQL and Redis", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase("ab_start");
  });
  afterAll(async () => database?.drop());

  it("runs the parts as separate processes sharing one database", async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: REDIS_URL,
      PORT: String(port),
      ADMIN_PORT: String(await freePort()),
    };
    const [bot, worker] = [startProduct(env, "bot"), startProduct(env, "worker")];
    try {
      await Promise.all([bot.waitFor("Article Bot is running"), worker.waitFor("Article Bot is running")]);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toEqual({ checks: { database: "ok", redis: "ok" } });
      expect(ready.status).toBe(200);
      expect(bot.output()).toContain("No console admin yet"); // production never invents a password
      expect(await bot.stop()).toBe(0);
      expect(await worker.stop()).toBe(0);
    } finally {
      await bot.stop("SIGKILL");
      await worker.stop("SIGKILL");
    }
  });

  it("fails clearly when Redis cannot be reached", async () => {
    const run = startProduct(
      {
        DATABASE_URL: database.url,
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        PORT: "0",
        ADMIN_PORT: "0",
      },
      "bot",
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("Cannot reach Redis at REDIS_URL");
  });
});
