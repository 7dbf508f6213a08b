/**
 * Pipeline overhead without the LLM's own time: request accepted -> first chunk handed to the
 * chat sink, with the fake OpenAI answering at once (zero first-token latency, every token in
 * one burst), and the cache-hit path end to end (accepted -> last chunk and closing summary).
 *
 * Two profiles, one run, each in a process of its own as a deployment runs one: production
 * services (PostgreSQL, Redis, BullMQ) and embedded (PGlite, its queue in the database). Both
 * retrieve from the sample corpus in the embedded vector index and call the fake OpenAI over
 * loopback HTTP, in a process of its own (as the API is on another machine), so the figures
 * include the SDK and SSE parsing but not the fake's own work and memory.
 * Bounded: 300 misses and 300 hits per profile.
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { AppContext } from "../../core/app.ts";
import { type Config, loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import type { ChatSink, SinkContext } from "../../core/deliver/sink.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { connectRedis } from "../../core/redis.ts";
import { seed } from "../../prisma/seed.ts";
import { createPostgresDatabase, REDIS_URL } from "../../tests/helpers/services.ts";
import { startFakeOpenAIProcess } from "../harness/fake-openai-process.ts";

const MISSES = 300;
const HITS = 300;
const REQUESTERS = 60; // CONSOLE requesters are on Enterprise: 60 per minute each

interface Timing {
  acceptedAt: number;
  acceptMs?: number;
  firstChunkAt?: number;
  endedAt?: number;
  failed?: boolean;
  resolve?: () => void;
}

/** A sink that only timestamps, so the figures are the pipeline's and not a platform's. */
class TimingSinks {
  readonly timings = new Map<string, Timing>();
  factory = (ctx: SinkContext): ChatSink => {
    const t = () => this.timings.get(String(ctx.destination.conversation));
    const end = (failed: boolean) => {
      const timing = t();
      if (!timing) return;
      timing.endedAt = performance.now();
      timing.failed = failed;
      timing.resolve?.();
    };
    return {
      maxChunkChars: 3_000,
      start: async () => undefined,
      postChunk: async () => {
        const timing = t();
        if (timing) timing.firstChunkAt ??= performance.now();
      },
      finish: async () => end(false),
      fail: async () => end(true),
    };
  };
}

interface Profile {
  name: string;
  app: AppContext;
  pipeline: Pipeline;
  close(): Promise<void>;
}

async function openProfile(
  name: string,
  env: Record<string, string>,
  openai: { url: string; apiKey: string },
  sinks: TimingSinks,
): Promise<Profile> {
  const config: Config = loadConfig({
    ...env,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    PORT: "0",
    ADMIN_PORT: "0",
  });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = config.redis ? connectRedis(config.redis.url) : null;
  await redis?.connect();
  const app: AppContext = { config, logger: createLogger("silent"), db, redis };
  const pipeline = createPipeline(app, { workerConcurrency: 8, sinks: { CONSOLE: sinks.factory } });
  await pipeline.retrieval.ingestFolder(path.resolve(import.meta.dirname, "../../data/corpus"));
  pipeline.startWorker();
  return {
    name,
    app,
    pipeline,
    async close() {
      await pipeline.close();
      redis?.disconnect();
      await db.close();
    },
  };
}

function request(i: number, topic: string): ChatRequest & { conversation: string } {
  const conversation = `c-${randomBytes(6).toString("hex")}`;
  return {
    conversation,
    platform: "CONSOLE",
    eventId: conversation,
    tenant: { externalId: "bench" },
    requester: { externalId: `bench-user-${i % REQUESTERS}` },
    input: { kind: "text", text: `write an article about ${topic} for executives, 600 words` },
    destination: { platform: "CONSOLE", conversation },
  };
}

/** One request at a time, so the figures are overhead, not queueing. */
async function measure(
  p: Profile,
  sinks: TimingSinks,
  count: number,
  topicFor: (i: number) => string,
): Promise<Timing[]> {
  const out: Timing[] = [];
  for (let i = 0; i < count; i++) {
    const req = request(i, topicFor(i));
    const timing: Timing = { acceptedAt: performance.now() };
    const done = new Promise<void>((resolve) => (timing.resolve = resolve));
    sinks.timings.set(req.conversation, timing);
    const result = await p.pipeline.accept(req);
    timing.acceptMs = performance.now() - timing.acceptedAt;
    if (result.kind !== "queued") throw new Error(`${p.name}: request ${i} was ${result.kind}, not queued`);
    await done;
    if (timing.failed) throw new Error(`${p.name}: request ${i} failed`);
    out.push(timing);
  }
  return out;
}

const INDUSTRIES = [
  "retail",
  "banking",
  "healthcare",
  "logistics",
  "manufacturing",
  "energy",
  "insurance",
  "tourism",
];
const THEMES = [
  "AI agents",
  "data platforms",
  "automation",
  "customer loyalty",
  "supply chains",
  "cyber resilience",
  "pricing",
  "ESG reporting",
];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Resident memory and what it is made of: V8's heap, or memory outside it (PGlite's WebAssembly heap is external). */
function memory(): string {
  const m = process.memoryUsage();
  return `${mib(m.rss)} (V8 heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)}, array buffers ${mib(m.arrayBuffers)})`;
}

/** What a profile's process is told: its name, its database, and where the fake OpenAI listens. */
const profileJob = z.object({
  name: z.string(),
  env: z.record(z.string(), z.string()),
  openai: z.object({ url: z.string(), apiKey: z.string() }),
});
type ProfileJob = z.infer<typeof profileJob>;

const PROFILE_JOB = "AB_PIPELINE_PROFILE";

/** One profile in this process, as a deployment runs it: measured, reported, closed. */
async function profileMain(job: ProfileJob): Promise<void> {
  const sinks = new TimingSinks();
  const p = await openProfile(job.name, job.env, job.openai, sinks);
  try {
    // Warm-up: JIT, connection pools, prepared statements, the limiter's Lua scripts.
    await measure(p, sinks, 20, (i) => `warm-up topic ${i} ${randomBytes(3).toString("hex")}`);
    const run = randomBytes(3).toString("hex");
    const misses = await measure(
      p,
      sinks,
      MISSES,
      (i) => `${THEMES[i % 8]} in ${INDUSTRIES[Math.floor(i / 8) % 8]} ${run} ${i}`,
    );
    await measure(p, sinks, 1, () => `digital twins in ports ${run}`); // the draft the hits reuse
    const hits = await measure(p, sinks, HITS, () => `digital twins in ports ${run}`);
    const generation = await p.app.db.prisma.generation.count({
      where: { cacheHit: true, request: { path: ["topic"], string_contains: run } },
    });
    console.log(`\n  ${p.name}`);
    console.log(
      `    accept (requester, parse, quota, record, enqueue):  ${fmt(misses.map((t) => t.acceptMs!))}`,
    );
    console.log(
      `    accepted -> first chunk, cache miss:                 ${fmt(misses.map((t) => t.firstChunkAt! - t.acceptedAt))}`,
    );
    console.log(
      `    accepted -> draft complete, cache miss:              ${fmt(misses.map((t) => t.endedAt! - t.acceptedAt))}`,
    );
    console.log(
      `    accepted -> first chunk, cache hit:                  ${fmt(hits.map((t) => t.firstChunkAt! - t.acceptedAt))}`,
    );
    console.log(
      `    accepted -> draft complete, cache hit:               ${fmt(hits.map((t) => t.endedAt! - t.acceptedAt))}`,
    );
    console.log(`    cache hits recorded: ${generation} of ${HITS}`);
    console.log(`    this process's resident memory at the end: ${memory()}`);
  } finally {
    await p.close();
  }
}

const childJob = process.env[PROFILE_JOB];
if (childJob !== undefined) {
  await profileMain(profileJob.parse(JSON.parse(childJob)));
  process.exit(0);
}

/** Runs one profile in a process of its own (this file again) and waits for it to finish. */
function inOwnProcess(job: ProfileJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, [PROFILE_JOB]: JSON.stringify(job) },
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${job.name}: exited with ${code}`)),
    );
  });
}

export async function run(): Promise<void> {
  const fake = await startFakeOpenAIProcess({ firstTokenLatencyMs: 0, tokensPerSecond: 0 });
  const openai = { url: fake.url, apiKey: fake.apiKey };
  const database = await createPostgresDatabase("ab_bench_pipeline");
  const dataDir = await mkdtemp(path.join(tmpdir(), "ab-bench-pipeline-"));
  try {
    console.log(
      `pipeline overhead, fake OpenAI with zero latency (${MISSES} misses, ${HITS} cache hits per profile, one at a time)`,
    );
    // Each profile in a process of its own, as a deployment runs one of them: in one process the
    // first's pools, modules and garbage sat beside the second's (~100 MiB of the second's figure).
    await inOwnProcess({
      name: "PostgreSQL + Redis + BullMQ",
      env: { DATABASE_URL: database.url, REDIS_URL },
      openai,
    });
    await inOwnProcess({
      name: "embedded (PGlite, queue in the database)",
      env: { DATA_DIR: dataDir },
      openai,
    });
    console.log(
      `\n  the fake OpenAI's own process (not in the figures above): ${mib(await fake.rssBytes())}`,
    );
  } finally {
    await fake.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
