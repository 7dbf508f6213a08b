import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { DatabaseJobQueue } from "../../core/jobs/database.ts";
import type { ArticleJob } from "../../core/jobs/queue.ts";
import { createLogger } from "../../core/logger.ts";
import { ROOT } from "../helpers/process.ts";
import { until } from "../helpers/wait.ts";

/**
 * The embedded queue across a crash: a process is killed (SIGKILL, nothing flushed or closed)
 * while it holds a job, and the next process on the same directory takes it back at start-up,
 * as a new attempt, with everything the job carried.
 */

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "ab-dbqueue-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, "pglite");
}

async function open(dir: string): Promise<{ db: Database; queue: DatabaseJobQueue }> {
  const db = await openDatabase({ database: { kind: "pglite", dir } });
  await db.migrate();
  const queue = new DatabaseJobQueue({ db, logger: createLogger("silent"), exclusive: true });
  cleanups.push(async () => {
    await queue.close();
    await db.close();
  });
  return { db, queue };
}

/** Runs the fixture until it has started the job, then kills it with SIGKILL. */
async function killMidJob(dir: string, generationId: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "tests/fixtures/db-queue-worker.ts", dir, generationId],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    await until(
      "the job's first attempt to start (or the child to exit)",
      () => out.includes(`started ${generationId} attempt 1`) || child.exitCode !== null,
      { timeoutMs: 60_000 },
    );
    expect(out).toContain(`started ${generationId} attempt 1`);
  } finally {
    child.kill("SIGKILL");
    await exited;
  }
}

describe("database queue when its process dies", () => {
  it("takes back the job that was in flight at the next start, as attempt 2, with its data", async () => {
    const dir = await dataDir();
    await killMidJob(dir, "g-crash");

    const { queue } = await open(dir);
    const resumed: Array<{ job: ArticleJob; attempt: number }> = [];
    const recovered: string[] = [];
    queue.process(async (job, ctx) => void resumed.push({ job, attempt: ctx.attempt }), {
      concurrency: 1,
      onExhausted: async () => undefined,
      onRecover: async (jobs) => void recovered.push(...jobs.map((j) => j.generationId)),
    });
    await until("resumed.length === 1", () => resumed.length === 1);
    expect(recovered).toEqual(["g-crash"]);
    expect(resumed).toEqual([
      {
        attempt: 2,
        job: {
          generationId: "g-crash",
          reservation: { requesterId: "r1", day: "2026-12-01", month: "2026-12", budgetMicros: 7 },
          destination: { platform: "SLACK", channel: "C1", threadTs: "1.2" },
          notes: ["capped"],
        },
      },
    ]);
    expect(await queue.depth()).toBe(0);
  });

  it("runs every job that was waiting when the process stopped", async () => {
    const dir = await dataDir();
    {
      const db = await openDatabase({ database: { kind: "pglite", dir } });
      await db.migrate();
      const before = new DatabaseJobQueue({ db, logger: createLogger("silent"), exclusive: true });
      for (const id of ["w1", "w2", "w3"])
        await before.enqueue({ generationId: id, reservation: null, destination: { platform: "CONSOLE" } });
      await before.close(); // nobody processed them
      await db.close();
    }
    const { queue } = await open(dir);
    const ran: string[] = [];
    queue.process(async (job) => void ran.push(job.generationId), {
      concurrency: 2,
      onExhausted: async () => undefined,
    });
    await until("ran.length === 3", () => ran.length === 3);
    expect(ran.sort()).toEqual(["w1", "w2", "w3"]);
  });

  it("reports a job exhausted, not run again, once its workers have died three times", async () => {
    const dir = await dataDir();
    const { db, queue } = await open(dir);
    await db.prisma.queuedJob.create({
      data: {
        id: "g-doomed",
        data: { generationId: "g-doomed", reservation: null, destination: { platform: "CONSOLE" } },
        state: "active",
        stalls: 2,
        attemptsStarted: 3,
        runAt: new Date(),
        lockedBy: "a process that died",
        lockedUntil: new Date(Date.now() + 60_000),
      },
    });
    const ran: string[] = [];
    const exhausted: string[] = [];
    queue.process(async (job) => void ran.push(job.generationId), {
      concurrency: 1,
      onExhausted: async (job, error) => void exhausted.push(`${job.generationId}: ${error.message}`),
    });
    await until("exhausted.length === 1", () => exhausted.length === 1);
    expect(exhausted).toEqual(["g-doomed: job stalled more than allowable limit"]);
    expect(ran).toEqual([]);
    expect((await db.prisma.queuedJob.findUniqueOrThrow({ where: { id: "g-doomed" } })).state).toBe("failed");
  });
});
