import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import type { ChatSink, Destination } from "../../core/deliver/sink.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { seed } from "../../prisma/seed.ts";
import { allRecorded } from "../helpers/generations.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { until } from "../helpers/wait.ts";

/**
 * Start-up recovery on the embedded profile, in one process: a pipeline stops mid-draft and is
 * abandoned (its memory — in-flight quota counts included — is gone, as after a kill), and a new
 * pipeline on the same database takes its work back.
 */
let dir: string;
let app: AppContext;
const abandoned: Pipeline[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ab-recovery-"));
  const config = loadConfig({ DATA_DIR: dir, PORT: "0", ADMIN_PORT: "0" });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  app = { config, logger: createLogger("silent"), db, redis: null };
});
afterAll(async () => {
  await app?.db.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ask = (
  conversation: string,
  destination: Destination = { platform: "CONSOLE", conversation },
): ChatRequest => ({
  platform: "CONSOLE",
  eventId: `ev-${conversation}`,
  tenant: { externalId: "workspace-r" },
  requester: { externalId: "user-r" },
  input: { kind: "text", text: "write about digital twins in manufacturing for plant managers, 600 words" },
  destination,
});

async function tierOf(requesterId: string) {
  const r = await app.db.prisma.requester.findUniqueOrThrow({
    where: { id: requesterId },
    include: { tier: true, tenant: { include: { defaultTier: true } } },
  });
  return r.tier ?? r.tenant.defaultTier;
}

/** A pipeline whose chat shows the first chunk, then hangs: the process "dies" there. */
function dyingPipeline(): { pipeline: Pipeline; posted: () => number } {
  let posted = 0;
  // One job at a time, so once it hangs this "dead" process takes nothing else.
  const hanging = (): ChatSink => ({
    maxChunkChars: 1_200,
    start: async () => undefined,
    postChunk: async () => {
      if (posted >= 1) await new Promise(() => undefined);
      posted += 1;
    },
    finish: async () => undefined,
    fail: async () => undefined,
  });
  const pipeline = createPipeline(app, { workerConcurrency: 1, sinks: { CONSOLE: hanging } });
  pipeline.startWorker();
  abandoned.push(pipeline);
  return { pipeline, posted: () => posted };
}

describe("embedded start-up recovery", () => {
  it("finishes a draft that was half-posted, and leaves the quota exact", async () => {
    const dying = dyingPipeline();
    const accepted = await dying.pipeline.accept(ask("half"));
    expect(accepted.kind).toBe("queued");
    await until("dying.posted() === 1", () => dying.posted() === 1);

    const sinks = new RecordingSinks(1_200, { idempotent: true });
    const next = createPipeline(app, { sinks: { CONSOLE: sinks.factory } });
    next.startWorker();
    try {
      await until("sinks.ended('half')", () => sinks.ended("half"));
      await allRecorded(app.db);
      const g = await app.db.prisma.generation.findFirstOrThrow({ where: { requestKey: "CONSOLE:ev-half" } });
      expect(g.status).toBe("DELIVERED");
      expect(sinks.chunks("half").map((c) => c.index)[0]).toBe(1); // chunk 0 was posted before the "crash"
      expect(sinks.of("half")[0]).toMatchObject({ type: "start", header: { resumed: true } });
      const usage = await next.quotas.usage(g.requesterId, await tierOf(g.requesterId));
      expect({
        used: usage.today.used,
        inFlight: usage.today.inFlight,
        delivered: usage.today.delivered,
      }).toEqual({
        used: 1,
        inFlight: 0,
        delivered: 1,
      });
    } finally {
      await next.close();
    }
  });

  it("fails a job whose destination's platform is gone, gives the slot back, never leaves it running", async () => {
    // Queued for a LINE chat while LINE was configured; the process stopped before running it.
    const before = createPipeline(app);
    const accepted = await before.accept(ask("gone", { platform: "LINE", chatId: "U-gone" }));
    expect(accepted.kind).toBe("queued");
    await before.close();
    const next = createPipeline(app); // this start has no LINE sink
    next.startWorker();
    try {
      let g = await app.db.prisma.generation.findFirstOrThrow({ where: { requestKey: "CONSOLE:ev-gone" } });
      const deadline = Date.now() + 30_000;
      while (g.status !== "FAILED" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        g = await app.db.prisma.generation.findFirstOrThrow({ where: { requestKey: "CONSOLE:ev-gone" } });
      }
      expect({ status: g.status, errorCode: g.errorCode }).toEqual({
        status: "FAILED",
        errorCode: "undeliverable",
      });
      expect((await next.quotas.usage(g.requesterId, await tierOf(g.requesterId))).today.inFlight).toBe(0);
    } finally {
      await next.close();
    }
  });
});
