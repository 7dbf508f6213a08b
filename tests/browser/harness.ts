import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { startAdmin } from "../../admin/server.ts";
import { hashPassword } from "../../core/admin/password.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { consoleSink } from "../../core/deliver/console-sink.ts";
import { createLogger } from "../../core/logger.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { connectRedis } from "../../core/redis.ts";
import { seed } from "../../prisma/seed.ts";
import { type FakeBehaviour, type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../helpers/services.ts";

/**
 * The whole console as production runs it: the built React Router app served by admin/server.ts,
 * over a fresh PostgreSQL database and the machine's Redis (quotas, topic cache, BullMQ), with a
 * worker writing articles through the fake OpenAI server and delivering them to the console sink.
 */

export const SERVER_BUILD = path.resolve(import.meta.dirname, "../../build/server/index.js");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const PASSWORD = "correct horse battery staple";

export interface ConsoleHarness {
  url: string;
  app: AppContext;
  pipeline: Pipeline;
  fake: FakeOpenAI;
  admin: { email: string; id: string };
  viewer: { email: string; id: string };
  close(): Promise<void>;
}

export async function startConsoleHarness(
  opts: { fake?: FakeBehaviour; prefix?: string } = {},
): Promise<ConsoleHarness> {
  if (!existsSync(SERVER_BUILD))
    throw new Error(
      `Console not built: ${SERVER_BUILD} is missing. Run \`npx react-router build\` (npm test does) first.`,
    );
  const database: TestDatabase = await createPostgresDatabase(opts.prefix ?? "ab_console");
  const fake = await startFakeOpenAI(opts.fake ?? {});
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
    OPENAI_EMBEDDING_MODEL: "text-embedding-3-small",
    PORT: "0",
    ADMIN_PORT: "0",
  });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = connectRedis(REDIS_URL);
  await redis.connect();
  const app: AppContext = { config, logger: createLogger("silent"), db, redis };
  const pipeline = createPipeline(app, { workerConcurrency: 2, sinks: { CONSOLE: consoleSink } });
  pipeline.startWorker();
  const tag = path.basename(new URL(database.url).pathname);
  const server = await startAdmin(app, {
    host: "127.0.0.1",
    port: 0,
    pipeline,
    throttlePrefix: `ab:login:${tag}`,
  });
  const passwordHash = await hashPassword(PASSWORD);
  const admin = await db.prisma.adminUser.create({
    data: { email: `ops+${tag}@example.com`, name: "Ops", role: "ADMIN", passwordHash },
  });
  const viewer = await db.prisma.adminUser.create({
    data: { email: `finance+${tag}@example.com`, name: "Finance", role: "VIEWER", passwordHash },
  });
  return {
    url: server.url,
    app,
    pipeline,
    fake,
    admin: { email: admin.email, id: admin.id },
    viewer: { email: viewer.email, id: viewer.id },
    async close() {
      await server.close();
      await pipeline.close();
      redis.disconnect();
      await db.close();
      await fake.close();
      await database.drop();
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile; a missing browser fails with how to install it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the console's browser tests need it. Install it with \`apt-get install chromium\` (or set CHROMIUM_PATH).`,
    );
  const profile = await mkdtemp(path.join(tmpdir(), "ab-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, base: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/login")),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

export const SCREENSHOTS =
  process.env.SCREENSHOT_DIR ?? path.resolve(import.meta.dirname, "../e2e/screenshots");
