/**
 * Realistic end to end on one worker: the fake OpenAI at the guide's pace (500 ms to the first
 * token, then 50 tokens/s), 1,000 drafts in flight at once (closed loop: a finished draft is
 * replaced by a new request; the first 1,000 arrive over 10 s, as a busy hour's would, not in
 * one instant — `npm run load -- spike` is that), PostgreSQL + Redis + BullMQ, the sample corpus in the embedded
 * vector index. Prints drafts delivered per minute, end-to-end p50/p95 (accepted → last chunk)
 * beside the pure model time of the same drafts (first-token latency + output tokens at the
 * fake's rate), so what our own code costs is the difference, and the worker's memory.
 *
 * The worker is a child process of its own (its resident memory is the worker's alone); this
 * process runs the fake OpenAI and accepts the requests, and learns of each draft's first and
 * last chunk from the worker's sink over IPC. Bounded: 3,000 drafts or 4 minutes, loopback only.
 *
 * Where the worker's time goes: AB_E2E_DB_PROFILE=1 prints its database statements per
 * delivered draft and its waits for a pooled connection; AB_E2E_CPU_PROF=<dir> writes its CPU
 * and heap profiles (see startProfiler).
 */
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import inspector from "node:inspector/promises";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppContext } from "../../core/app.ts";
import { type Config, loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import type { ChatSink, SinkContext } from "../../core/deliver/sink.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatRequest, createPipeline } from "../../core/pipeline/index.ts";
import { connectRedis } from "../../core/redis.ts";
import { seed } from "../../prisma/seed.ts";
import { startFakeOpenAI } from "../../tests/fakes/openai.ts";
import { createPostgresDatabase, REDIS_URL } from "../../tests/helpers/services.ts";
import { describeDbProfile, installDbProfile } from "../harness/db-profile.ts";

const IN_FLIGHT = 1_000;
const DRAFTS = 3_000;
const REQUESTERS = 250; // CONSOLE requesters are on Enterprise: 60 a minute each
const FIRST_TOKEN_MS = 500;
const TOKENS_PER_SECOND = 50;
const WORDS = 300;
const RAMP_MS = 10_000;
const DEADLINE_MS = 4 * 60_000;

type WorkerEvent = { conversation: string; event: "first" | "end" | "failed" };

async function openApp(env: Record<string, string>): Promise<AppContext> {
  const config: Config = loadConfig({ ...env, PORT: "0", ADMIN_PORT: "0" });
  const db = await openDatabase(config);
  const redis = config.redis ? connectRedis(config.redis.url) : null;
  await redis?.connect();
  return { config, logger: createLogger("silent"), db, redis };
}

/** The worker process: one pipeline whose worker holds every draft in flight at once. */
async function workerMain(env: Record<string, string>): Promise<void> {
  const profile = process.env.AB_E2E_DB_PROFILE ? installDbProfile() : null;
  const profiler = process.env.AB_E2E_CPU_PROF ? await startProfiler(process.env.AB_E2E_CPU_PROF) : null;
  // What the resident memory is made of at its peak (V8's heap, or buffers outside it).
  const memory = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const memorySampler = profile
    ? setInterval(() => {
        const m = process.memoryUsage();
        if (m.rss > memory.rss) Object.assign(memory, m);
      }, 500)
    : null;
  let delivered = 0;
  const app = await openApp(env);
  const tell = (e: WorkerEvent): void => void process.send?.(e);
  const sink = (ctx: SinkContext): ChatSink => {
    const conversation = String(ctx.destination.conversation);
    let first = false;
    return {
      maxChunkChars: 3_000,
      start: async () => undefined,
      postChunk: async () => {
        if (!first) tell({ conversation, event: "first" });
        first = true;
      },
      finish: async () => {
        delivered++;
        tell({ conversation, event: "end" });
      },
      fail: async () => tell({ conversation, event: "failed" }),
    };
  };
  const pipeline = createPipeline(app, {
    llmConcurrency: IN_FLIGHT,
    llmPerMinute: 1_000_000,
    sinks: { CONSOLE: sink },
  });
  await pipeline.retrieval.ingestFolder(path.resolve(import.meta.dirname, "../../data/corpus"));
  pipeline.startWorker();
  process.send?.({ ready: true });
  process.once("message", async () => {
    await profiler?.stop();
    if (profile) {
      if (memorySampler) clearInterval(memorySampler);
      const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
      console.log(
        [
          ...describeDbProfile(profile, delivered),
          `  worker memory at its peak: rss ${mib(memory.rss)}, V8 heap used ${mib(memory.heapUsed)} of ${mib(memory.heapTotal)}, external ${mib(memory.external)} (array buffers ${mib(memory.arrayBuffers)})`,
        ].join("\n"),
      );
    }
    await pipeline.close();
    app.redis?.disconnect();
    await app.db.close();
    process.exit(0);
  });
}

/**
 * The worker's CPU profile from start to stop, and a sampling heap profile (what is alive, by
 * where it was allocated) taken a minute in, when all 1,000 drafts are in flight: written to
 * `dir` as .cpuprofile and .heapprofile (open them in Chrome's DevTools, or summarise the CPU
 * profile with load/harness/cpu-profile.ts).
 */
async function startProfiler(dir: string): Promise<{ stop(): Promise<void> }> {
  const session = new inspector.Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  await session.post("HeapProfiler.startSampling", { samplingInterval: 64 * 1024 });
  await mkdir(dir, { recursive: true });
  const heap = setTimeout(() => {
    void session
      .post("HeapProfiler.getSamplingProfile")
      .then(({ profile }) =>
        writeFile(path.join(dir, `worker-${process.pid}.heapprofile`), JSON.stringify(profile)),
      );
  }, 60_000);
  return {
    async stop() {
      clearTimeout(heap);
      const { profile } = await session.post("Profiler.stop");
      await writeFile(path.join(dir, `worker-${process.pid}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

interface Draft {
  acceptedAt: number;
  firstAt?: number;
  endAt?: number;
  failed?: boolean;
  generationId?: string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function run(): Promise<void> {
  const fake = await startFakeOpenAI({
    firstTokenLatencyMs: FIRST_TOKEN_MS,
    tokensPerSecond: TOKENS_PER_SECOND,
  });
  const database = await createPostgresDatabase("ab_bench_e2e");
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
    // As an operator would run this worker: its concurrency (and so its pool's size) configured.
    WORKER_CONCURRENCY: String(IN_FLIGHT),
  };
  // The front process only accepts: its pool is the default one, not the worker's.
  const app = await openApp({ ...env, DATABASE_POOL_SIZE: "10" });
  await app.db.migrate();
  await seed(app.db, app.config);
  const front = createPipeline(app); // accepts only; the child process is the worker

  const drafts = new Map<string, Draft>();
  let settle: () => void = () => undefined;
  let ended = 0;
  let failed = 0;
  let acceptErrors = 0;
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, AB_E2E_WORKER: JSON.stringify(env) },
  });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  let peakRss = 0;
  const sampler = setInterval(() => {
    void readFile(`/proc/${child.pid}/status`, "utf8").then(
      (s) => (peakRss = Math.max(peakRss, Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024)),
      () => undefined,
    );
  }, 500);

  let next = 0;
  const submit = async (): Promise<void> => {
    if (next >= DRAFTS) return;
    const i = next++;
    const conversation = `e2e-${randomBytes(6).toString("hex")}`;
    const req: ChatRequest = {
      platform: "CONSOLE",
      eventId: conversation,
      tenant: { externalId: "bench-e2e" },
      requester: { externalId: `e2e-user-${i % REQUESTERS}` },
      input: {
        kind: "text",
        text: `write an article about topic ${conversation} for executives, ${WORDS} words`,
      },
      destination: { platform: "CONSOLE", conversation },
    };
    const draft: Draft = { acceptedAt: performance.now() };
    drafts.set(conversation, draft);
    const result = await front.accept(req).catch((error: unknown) => {
      // Counted, not fatal: the figures say how many requests the front could not take.
      acceptErrors++;
      console.error(`request ${i} not accepted: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (!result) {
      drafts.delete(conversation);
      return;
    }
    if (result.kind !== "queued") throw new Error(`request ${i} was ${result.kind}, not queued`);
    draft.generationId = result.generationId;
  };
  child.on("message", (m: WorkerEvent) => {
    const d = drafts.get(m.conversation);
    if (!d) return;
    if (m.event === "first") d.firstAt ??= performance.now();
    else {
      d.endAt = performance.now();
      if (m.event === "failed") {
        failed++;
        d.failed = true;
      }
      ended++;
      if (ended === DRAFTS) settle();
      else void submit();
    }
  });

  const done = new Promise<void>((resolve) => (settle = resolve));
  const t0 = performance.now();
  // A worker that dies (out of memory, say) ends the run there, and the figures say so.
  let workerDied: string | null = null;
  const onExit = (code: number | null, signal: string | null) => {
    workerDied = `the worker exited (${signal ?? `code ${code}`}) ${seconds(performance.now() - t0)} into the run`;
    settle();
  };
  child.once("exit", onExit);
  for (let i = 0; i < IN_FLIGHT; i++) {
    await submit();
    const due = t0 + ((i + 1) * RAMP_MS) / IN_FLIGHT;
    if (performance.now() < due) await new Promise((r) => setTimeout(r, due - performance.now()));
  }
  const deadline = setTimeout(settle, DEADLINE_MS - (performance.now() - t0));
  await done;
  clearTimeout(deadline);
  next = DRAFTS; // past the deadline nothing new is asked for
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  child.off("exit", onExit);

  const rows = await app.db.prisma.generation.findMany({
    where: { id: { in: [...drafts.values()].flatMap((d) => d.generationId ?? []) } },
    select: { id: true, outputTokens: true },
  });
  const tokens = new Map(rows.map((r) => [r.id, r.outputTokens]));
  const finished = [...drafts.values()].filter(
    (d) => d.endAt !== undefined && d.firstAt !== undefined && !d.failed,
  );
  const unfinished = [...drafts.values()].filter((d) => d.endAt === undefined).length;
  const e2e = finished.map((d) => d.endAt! - d.acceptedAt);
  const first = finished.map((d) => d.firstAt! - d.acceptedAt);
  const model = finished.map(
    (d) => FIRST_TOKEN_MS + ((tokens.get(d.generationId!) ?? 0) / TOKENS_PER_SECOND) * 1000,
  );
  const overhead = e2e.map((ms, i) => ms - model[i]!);

  console.log(
    `end to end, one worker, ${IN_FLIGHT} drafts in flight, fake OpenAI at ${FIRST_TOKEN_MS} ms to first token and ${TOKENS_PER_SECOND} tokens/s, ${WORDS}-word drafts, PostgreSQL + Redis + BullMQ`,
  );
  console.log(
    `  load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(
    `  drafts delivered: ${finished.length} of ${drafts.size} asked (${failed} failed, ${unfinished} unfinished, ${acceptErrors} not accepted) in ${seconds(wallMs)}`,
  );
  const errors = await app.db.prisma.generation.groupBy({
    by: ["errorCode"],
    where: { status: "FAILED", id: { in: [...drafts.values()].flatMap((d) => d.generationId ?? []) } },
    _count: true,
  });
  for (const e of errors) console.log(`    failed with ${e.errorCode}: ${e._count}`);
  console.log(`  drafts delivered per minute: ${((finished.length / wallMs) * 60_000).toFixed(0)}`);
  console.log(
    `  accepted → first chunk:  p50 ${seconds(percentile(first, 50))}, p95 ${seconds(percentile(first, 95))}`,
  );
  console.log(
    `  accepted → last chunk:   p50 ${seconds(percentile(e2e, 50))}, p95 ${seconds(percentile(e2e, 95))}`,
  );
  console.log(
    `  pure model time:         p50 ${seconds(percentile(model, 50))}, p95 ${seconds(percentile(model, 95))}`,
  );
  console.log(
    `  our own time (e2e − model): p50 ${seconds(percentile(overhead, 50))}, p95 ${seconds(percentile(overhead, 95))}`,
  );
  console.log(`  worker resident memory, peak: ${peakRss.toFixed(0)} MiB`);
  if (workerDied) console.log(`  ${workerDied}`);

  if (!workerDied) {
    child.send("stop");
    await new Promise((r) => child.once("exit", r));
  }
  await front.close();
  app.redis?.disconnect();
  await app.db.close();
  await fake.close();
  await database.drop();
}

if (process.env.AB_E2E_WORKER) await workerMain(JSON.parse(process.env.AB_E2E_WORKER));
