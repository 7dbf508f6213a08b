import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { BullJobQueue } from "../../core/jobs/bullmq.ts";
import { DatabaseJobQueue } from "../../core/jobs/database.ts";
import type { ArticleJob, JobQueue } from "../../core/jobs/queue.ts";
import { createLogger } from "../../core/logger.ts";
import { ROOT } from "../helpers/process.ts";
import { REDIS_URL } from "../helpers/services.ts";
import { until } from "../helpers/wait.ts";

const job = (id: string): ArticleJob => ({
  generationId: id,
  reservation: null,
  destination: { platform: "CONSOLE" },
});

const queues: JobQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()));
});

// The embedded profile's database: the database queue's contract is checked where it runs.
let dir: string;
let embedded: Database;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ab-queue-"));
  embedded = await openDatabase({ database: { kind: "pglite", dir: path.join(dir, "shared") } });
  await embedded.migrate();
});
afterAll(async () => {
  await embedded?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const makers: Record<string, () => JobQueue> = {
  bullmq: () =>
    new BullJobQueue({
      redisUrl: REDIS_URL,
      prefix: `ab:test:${randomBytes(4).toString("hex")}`,
      logger: createLogger("silent"),
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
    }),
  database: () =>
    new DatabaseJobQueue({ db: embedded, logger: createLogger("silent"), exclusive: false, pollMs: 100 }),
};
const unique = (name: string) => `${name}-${randomBytes(4).toString("hex")}`;

describe.each(Object.keys(makers))("%s queue", (kind) => {
  const make = () => {
    const q = makers[kind]!();
    queues.push(q);
    return q;
  };

  it("runs each generation once even when enqueued twice", async () => {
    const q = make();
    const [g1, g2] = [unique("g1"), unique("g2")];
    const seen: string[] = [];
    q.process(async (j) => void seen.push(j.generationId), {
      concurrency: 2,
      onExhausted: async () => undefined,
    });
    await q.enqueue(job(g1));
    await q.enqueue(job(g1));
    await q.enqueue(job(g2));
    await until("both jobs handled", () => seen.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.sort()).toEqual([g1, g2].sort());
  });

  it("retries a handler that throws, then reports the job exhausted", async () => {
    const q = make();
    const id = unique("g-fail");
    const attempts: number[] = [];
    const finals: boolean[] = [];
    const exhausted: string[] = [];
    q.process(
      async (_j, ctx) => {
        attempts.push(ctx.attempt);
        finals.push(ctx.finalAttempt);
        throw new Error("database unavailable");
      },
      {
        concurrency: 1,
        onExhausted: async (j, error) => void exhausted.push(`${j.generationId}: ${error.message}`),
      },
    );
    await q.enqueue(job(id));
    await until("the failing job to run out of attempts", () => exhausted.length === 1, {
      timeoutMs: 30_000,
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(finals).toEqual([false, false, true]);
    expect(exhausted).toEqual([`${id}: database unavailable`]);
  });

  it("hands the handler the job exactly as enqueued (destination, reservation, notes, revision)", async () => {
    const q = make();
    const full: ArticleJob = {
      generationId: unique("g-full"),
      reservation: { requesterId: "r9", day: "2026-12-01", month: "2026-12", budgetMicros: 1234 },
      destination: { platform: "LINE", chatId: "U1", replyToken: "tok", quoted: null },
      notes: ["capped at your tier's 800 words"],
      revision: { kind: "shorter" },
    };
    const got: ArticleJob[] = [];
    q.process(async (j) => void got.push(j), { concurrency: 1, onExhausted: async () => undefined });
    await q.enqueue(full);
    await until("the job to be handled", () => got.length === 1);
    expect(got).toEqual([full]);
  });

  it("counts only jobs not yet started as its depth", async () => {
    const q = make();
    await q.enqueue(job(unique("d1")));
    await q.enqueue(job(unique("d2")));
    expect(await q.depth()).toBeGreaterThanOrEqual(2);
  });
});

describe("bullmq queue when a worker dies", () => {
  it("hands the job to another worker after the dead one's lock expires", async () => {
    const prefix = `ab:test:${randomBytes(4).toString("hex")}`;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "tests/fixtures/bull-worker.ts", REDIS_URL, prefix],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      await until("the worker process to be ready", () => out.includes("ready"));
      const producer = new BullJobQueue({ redisUrl: REDIS_URL, prefix, logger: createLogger("silent") });
      queues.push(producer);
      await producer.enqueue(job("g-crash"));
      await until("the crashing job's first attempt to start", () =>
        out.includes("started g-crash attempt 1"),
      );
      child.kill("SIGKILL");

      const survivor = new BullJobQueue({
        redisUrl: REDIS_URL,
        prefix,
        logger: createLogger("silent"),
        lockDurationMs: 1_000,
        stalledIntervalMs: 500,
      });
      queues.push(survivor);
      const resumed: number[] = [];
      survivor.process(async (_j, ctx) => void resumed.push(ctx.attempt), {
        concurrency: 1,
        onExhausted: async () => undefined,
      });
      await until("a surviving worker to resume the job", () => resumed.length === 1);
      expect(resumed).toEqual([2]);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
