import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { allRecorded } from "../helpers/generations.ts";
import { freePort } from "../helpers/process.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * Redis restarted while articles are being requested and written. A Redis of its own (append-only
 * file on, as in docker-compose.yml) so the machine's shared Redis is never touched. Every request
 * either gets its article exactly once or a clear "try again" (a thrown accept, which the platform
 * turns into a message) with nothing left behind; none is lost.
 */
let testApp: TestApp;
let fake: FakeOpenAI;
let app: AppContext;
let pipeline: Pipeline;
let dir: string;
let port: number;
const sinks = new RecordingSinks(1_200);

function startRedis(): void {
  const r = spawnSync("redis-server", [
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--save",
    "",
    "--pidfile",
    path.join(dir, "redis.pid"),
    "--logfile",
    path.join(dir, "redis.log"),
  ]);
  if (r.status !== 0)
    throw new Error(
      `redis-server could not start (is Redis installed? apt-get install redis-server): ${r.stderr}`,
    );
}
async function waitForRedis(up: boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if ((ping.stdout.trim() === "PONG") === up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Redis on ${port} did not go ${up ? "up" : "down"}`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ab-faults-redis-"));
  port = await freePort();
  startRedis();
  await waitForRedis(true);
  fake = await startFakeOpenAI({ firstTokenLatencyMs: 50, tokensPerSecond: 2_000 });
  testApp = await openTestApp("ab_faults_redis", () => ({
    REDIS_URL: `redis://127.0.0.1:${port}`,
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
  }));
  app = testApp.app;
  pipeline = createPipeline(app, { workerConcurrency: 4, sinks: { CONSOLE: sinks.factory } });
  pipeline.startWorker();
});
afterAll(async () => {
  await pipeline?.close();
  await testApp?.close();
  await fake?.close();
  if (port) spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("Redis restarted mid-load", () => {
  it("loses no accepted article and posts none twice; refused ones leave nothing behind", async () => {
    const accepted: string[] = [];
    const refused: string[] = [];
    let n = 0;
    let down = false;
    let duringOutage = 0;
    const ask = async () => {
      if (down) duringOutage++;
      const conversation = randomBytes(6).toString("hex");
      const req: ChatRequest = {
        platform: "CONSOLE",
        eventId: `ev-${conversation}`,
        tenant: { externalId: "redis-fault" },
        requester: { externalId: `user-${n++ % 5}` },
        input: {
          kind: "text",
          text: `write an article about platform resilience ${conversation} for executives, 300 words`,
        },
        destination: { platform: "CONSOLE", conversation },
      };
      try {
        const r = await pipeline.accept(req);
        expect(r.kind).toBe("queued");
        accepted.push(conversation);
      } catch (error) {
        console.info(`refused during the outage: ${(error as Error).message}`);
        refused.push(conversation);
      }
    };
    // Steady requests, with Redis shut down (AOF flushed) and started again in the middle.
    const load = (async () => {
      // Requests keep arriving whatever Redis does: one every 50 ms, not waiting on each other.
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < 40; i++) {
        inFlight.push(ask());
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(inFlight);
    })();
    await new Promise((r) => setTimeout(r, 600));
    spawnSync("redis-cli", ["-p", String(port), "shutdown"]);
    await waitForRedis(false);
    down = true;
    await new Promise((r) => setTimeout(r, 800));
    startRedis();
    await waitForRedis(true);
    down = false;
    await load;
    expect(duringOutage).toBeGreaterThan(0); // the outage really came mid-load

    const deadline = Date.now() + 60_000;
    while (!accepted.every((c) => sinks.ended(c))) {
      if (Date.now() > deadline)
        throw new Error(
          `not finished: ${accepted.filter((c) => !sinks.ended(c)).length} of ${accepted.length}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const c of accepted) {
      const events = sinks.of(c);
      expect(
        events.filter((e) => e.type === "finish"),
        c,
      ).toHaveLength(1);
      const indexes = sinks.chunks(c).map((x) => x.index);
      expect(indexes).toEqual(indexes.map((_, i) => i));
    }
    for (const c of refused) {
      const g = await app.db.prisma.generation.findUnique({ where: { requestKey: `CONSOLE:ev-${c}` } });
      expect(g === null || g.status === "FAILED").toBe(true);
      expect(sinks.of(c)).toHaveLength(0);
    }
    await allRecorded(app.db);
    const delivered = await app.db.prisma.generation.count({ where: { status: "DELIVERED" } });
    expect(delivered).toBe(accepted.length);
    console.info(
      `redis restart: ${accepted.length + refused.length} requests, ${accepted.length} delivered once, ${duringOutage} asked while Redis was down, ${refused.length} refused, 0 lost, 0 duplicated`,
    );
  });
});
