import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { BullJobQueue } from "../../core/jobs/bullmq.ts";
import { InProcessQueue } from "../../core/jobs/in-process.ts";
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

const makers: Record<string, () => JobQueue> = {
  bullmq: () =>
    new BullJobQueue({
      redisUrl: REDIS_URL,
      prefix: `ab:test:${randomBytes(4).toString("hex")}`,
      logger: createLogger("silent"),
      lockDurationMs: 2_000,
      stalledIntervalMs: 1_000,
    }),
  "in-process": () => new InProcessQueue(),
};

describe.each(Object.keys(makers))("%s queue", (kind) => {
  const make = () => {
    const q = makers[kind]!();
    queues.push(q);
    return q;
  };

  it("runs each generation once even when enqueued twice", async () => {
    const q = make();
    const seen: string[] = [];
    q.process(async (j) => void seen.push(j.generationId), {
      concurrency: 2,
      onExhausted: async () => undefined,
    });
    await q.enqueue(job("g1"));
    await q.enqueue(job("g1"));
    await q.enqueue(job("g2"));
    await until("both jobs handled", () => seen.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.sort()).toEqual(["g1", "g2"]);
  });

  it("retries a handler that throws, then reports the job exhausted", async () => {
    const q = make();
    const attempts: number[] = [];
    const exhausted: string[] = [];
    q.process(
      async (_j, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error("database unavailable");
      },
      {
        concurrency: 1,
        onExhausted: async (j, error) => void exhausted.push(`${j.generationId}: ${error.message}`),
      },
    );
    await q.enqueue(job("g-fail"));
    await until("the failing job to run out of attempts", () => exhausted.length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(exhausted).toEqual(["g-fail: database unavailable"]);
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
