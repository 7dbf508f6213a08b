import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { BullJobQueue } from "../../core/jobs/bullmq.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { connectRedis } from "../../core/redis.ts";
import { seed } from "../../prisma/seed.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { ROOT } from "../helpers/process.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../helpers/services.ts";
import { until } from "../helpers/wait.ts";

/**
 * Workers dying or stopping with articles half-posted: every article still arrives whole, each
 * chunk once, and quotas end exact. The "chat" is a file the worker processes append to.
 */
interface Line {
  c: string;
  t: "start" | "chunk" | "again" | "finish" | "fail";
  i?: number;
  text?: string;
  pid: number;
}

let database: TestDatabase;
let fake: FakeOpenAI;
let app: AppContext;
let ingress: Pipeline;
let dir: string;
const prefix = `ab:test:faults:${randomBytes(4).toString("hex")}`;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  database = await createPostgresDatabase("ab_faults");
  // About 3 s per 600-word article: long enough to kill a worker mid-draft.
  fake = await startFakeOpenAI({ firstTokenLatencyMs: 100, tokensPerSecond: 250 });
  dir = await mkdtemp(path.join(tmpdir(), "ab-faults-"));
  const config = loadConfig(env());
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = connectRedis(REDIS_URL);
  await redis.connect();
  app = { config, logger: createLogger("silent"), db, redis };
  // The bot's side: accepts and enqueues, runs no worker.
  ingress = createPipeline(app, {
    queue: new BullJobQueue({ redisUrl: REDIS_URL, prefix, logger: app.logger }),
  });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
  await ingress?.close();
  app?.redis?.disconnect();
  await app?.db.close();
  await fake?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
    PORT: "0",
    ADMIN_PORT: "0",
    LOG_LEVEL: "warn",
  };
}

function startWorker(sinkFile: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "tests/fixtures/pipeline-worker.ts")],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env(), SINK_FILE: sinkFile, QUEUE_PREFIX: prefix },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  workers.push(child);
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`worker exited (${code}) before ready:\n${out}`)));
  });
}

const read = (file: string): Line[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
    : [];

async function acceptMany(count: number, user: string): Promise<string[]> {
  const conversations: string[] = [];
  for (let i = 0; i < count; i++) {
    const conversation = randomBytes(6).toString("hex");
    const req: ChatRequest = {
      platform: "CONSOLE",
      eventId: `ev-${conversation}`,
      tenant: { externalId: "faults" },
      requester: { externalId: user },
      input: {
        kind: "text",
        text: `write an article about resilience topic ${i} ${conversation} in logistics for executives, 600 words`,
      },
      destination: { platform: "CONSOLE", conversation },
    };
    expect((await ingress.accept(req)).kind).toBe("queued");
    conversations.push(conversation);
  }
  return conversations;
}

/** Every article whole and once: one finish, chunks 0..n-1 each shown once, the draft as recorded. */
async function expectDeliveredOnce(lines: Line[], conversations: string[], user: string) {
  for (const c of conversations) {
    const mine = lines.filter((l) => l.c === c);
    expect(
      mine.filter((l) => l.t === "finish"),
      `finish lines for ${c}`,
    ).toHaveLength(1);
    expect(mine.filter((l) => l.t === "fail")).toHaveLength(0);
    const shown = mine.filter((l) => l.t === "chunk").map((l) => l.i);
    expect(shown).toEqual(shown.map((_, i) => i));
    const g = await app.db.prisma.generation.findUniqueOrThrow({ where: { requestKey: `CONSOLE:ev-${c}` } });
    expect(g.status).toBe("DELIVERED");
    expect(g.chunksDelivered).toBe(shown.length);
  }
  const requester = await app.db.prisma.requester.findFirstOrThrow({
    where: { externalId: user },
    include: { tenant: { include: { defaultTier: true } } },
  });
  const usage = await ingress.quotas.usage(requester.id, requester.tenant.defaultTier);
  expect(usage.today.used).toBe(conversations.length); // counted once each, nothing left in flight
}

describe("worker faults (PostgreSQL, Redis, BullMQ, worker processes)", () => {
  it("a worker killed with articles in flight: another finishes them, no chunk lost or shown twice", async () => {
    const file = path.join(dir, "killed.jsonl");
    const user = `killed-${randomBytes(3).toString("hex")}`;
    const first = await startWorker(file);
    const conversations = await acceptMany(6, user);
    await until("four chunks delivered", () => read(file).filter((l) => l.t === "chunk").length >= 4, {
      timeoutMs: 60_000,
    });
    first.kill("SIGKILL");
    const before = read(file);
    expect(before.filter((l) => l.t === "finish").length).toBeLessThan(conversations.length); // work was really in flight

    const second = await startWorker(file);
    await until(
      "every conversation finished or failed",
      () => read(file).filter((l) => l.t === "finish" || l.t === "fail").length >= conversations.length,
      { timeoutMs: 60_000 },
    );
    const lines = read(file);
    await expectDeliveredOnce(lines, conversations, user);
    // The survivor really took over: it resumed drafts the dead worker had started.
    expect(
      lines.some(
        (l) => l.pid === second.pid && l.t === "start" && (l as Line & { resumed: boolean }).resumed,
      ),
    ).toBe(true);
    second.kill("SIGTERM");
  });

  it("SIGTERM during work: the worker finishes the articles in hand before it exits", async () => {
    const file = path.join(dir, "sigterm.jsonl");
    const user = `sigterm-${randomBytes(3).toString("hex")}`;
    const worker = await startWorker(file);
    const conversations = await acceptMany(4, user);
    await until("two chunks delivered", () => read(file).filter((l) => l.t === "chunk").length >= 2, {
      timeoutMs: 60_000,
    });
    const exited = new Promise<number | null>((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    expect(await exited).toBe(0);
    const lines = read(file);
    // Whatever it had started it finished; anything it had not picked up is still queued.
    const started = new Set(lines.filter((l) => l.t === "start").map((l) => l.c));
    for (const c of started) expect(lines.some((l) => l.c === c && l.t === "finish")).toBe(true);
    if (started.size < conversations.length) {
      const next = await startWorker(file);
      await until(
        "every conversation finished",
        () => read(file).filter((l) => l.t === "finish").length >= conversations.length,
        { timeoutMs: 60_000 },
      );
      next.kill("SIGTERM");
    }
    await expectDeliveredOnce(read(file), conversations, user);
  });
});
