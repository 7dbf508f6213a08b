/**
 * LINE webhook ingress: signed deliveries acknowledged per second, and latency p50/p99, side by
 * side in one run with a bare @line/bot-sdk middleware (express + `middleware()`, answering 200
 * and doing nothing else). Target: at least half the bare middleware's throughput, p99 < 50 ms.
 *
 * The bot is the real product (`main.ts bot`, as `npm run bot` starts it) on PostgreSQL and
 * Redis. Every delivery is a fresh text message from one of a few thousand users, so the bot
 * does all of its real work behind each 200: dedup claim in Redis, requester and quota checks,
 * a Generation row and a BullMQ job (no worker runs, so no drafts are written), the loading
 * animation and profile calls to a fake Messaging API in its own process. Everything shares
 * the machine's cores with the load generator (autocannon), as it would in a small deployment.
 *
 * Each round starts a fresh bot on a fresh database, so the bare middleware is measured on a
 * machine the previous round's backlog is not still busy with.
 *
 * Each server also gets a steady phase (500 deliveries/s for 6 s) before the flat-out one: its
 * latency is the webhook's own, without the queueing of a saturated server.
 *
 * Bounded: 3 rounds × (2 s warm-up + 6 s steady + 10 s flat out) per server + 20 s watching the
 * bot's background, 20 connections, loopback only.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { freePort, ROOT, startProduct } from "../../tests/helpers/process.ts";
import { createPostgresDatabase, REDIS_URL } from "../../tests/helpers/services.ts";

const CONNECTIONS = 20;
const WARMUP_S = 2;
const MEASURE_S = 10;
const ROUNDS = 3;
/** The steady phase: a busy Official Account's peak is far below this. */
const FIXED_RATE = 500;
const RATE_S = 6;
const USERS = 5_000;
/** More than the fastest server answers in one phase, so no delivery repeats within a run. */
const BODIES_PER_PHASE = 60_000;

interface Signed {
  body: string;
  signature: string;
}

interface Phase {
  rps: number;
  ok: number;
  other: number;
  errors: number;
  p50: number;
  p99: number;
}

const SELF = fileURLToPath(import.meta.url);

// ---- child processes: the bare middleware and the fake Messaging API ----

async function serveBare(port: number, channelSecret: string): Promise<void> {
  const { default: express } = await import("express");
  const { middleware } = await import("@line/bot-sdk");
  const app = express();
  app.post("/line/webhook", middleware({ channelSecret }), (_req, res) => void res.sendStatus(200));
  app.use((err: Error, _req: unknown, res: { status(n: number): { end(): void } }, _next: unknown) =>
    res.status(err.name === "SignatureValidationFailed" ? 401 : 400).end(),
  );
  app.listen(port, "127.0.0.1", () => console.log(`listening ${port}`));
}

async function serveFakeLine(accessToken: string, channelSecret: string, botUserId: string): Promise<void> {
  const { startFakeLine } = await import("../../tests/fakes/line.ts");
  const fake = await startFakeLine({ accessToken, channelSecret, botUserId });
  // Long runs record nothing: the recorders would only grow.
  setInterval(() => ((fake.calls.length = 0), (fake.delivered.length = 0)), 1_000).unref();
  console.log(`listening ${fake.url}`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "bare") await serveBare(Number(args[0]), args[1]!);
  else if (mode === "fake-line") await serveFakeLine(args[0]!, args[1]!, args[2]!);
}

function spawnChild(args: string[]): Promise<{ child: ChildProcess; said: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
    child.stdout!.on("data", (d: Buffer) => {
      const m = /listening (\S+)/.exec(d.toString());
      if (m) resolve({ child, said: m[1]! });
    });
  });
}

// ---- the run ----

function deliveries(count: number, secret: string, botUserId: string, users: string[]): Signed[] {
  const out: Signed[] = [];
  for (let i = 0; i < count; i++) {
    const userId = users[i % users.length]!;
    const body = JSON.stringify({
      destination: botUserId,
      events: [
        {
          type: "message",
          mode: "active",
          timestamp: Date.now(),
          webhookEventId: `01BENCH${randomBytes(10).toString("hex").toUpperCase()}`,
          deliveryContext: { isRedelivery: false },
          source: { type: "user", userId },
          replyToken: randomBytes(16).toString("hex"),
          message: {
            id: String(1e15 + i),
            type: "text",
            quoteToken: randomBytes(12).toString("base64url"),
            text:
              i % 2
                ? "เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก สำหรับผู้บริหาร"
                : "write about the future of digital banking for CIOs",
          },
        },
      ],
    });
    out.push({ body, signature: createHmac("sha256", secret).update(body).digest("base64") });
  }
  return out;
}

async function phase(url: string, bodies: Signed[], seconds: number, rate?: number): Promise<Phase> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          const d = bodies[next++ % bodies.length]!;
          return {
            ...req,
            body: d.body,
            headers: { "content-type": "application/json; charset=utf-8", "x-line-signature": d.signature },
          };
        },
      },
    ],
  });
  const ok = result["2xx"];
  return {
    rps: ok / seconds,
    ok,
    other: result.non2xx,
    errors: result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

const fmt = (p: Phase) =>
  `${p.rps.toFixed(0).padStart(6)} deliveries/s accepted   p50 ${p.p50.toFixed(1).padStart(5)} ms   p99 ${p.p99.toFixed(1).padStart(5)} ms` +
  (p.other || p.errors ? `   (${p.other} non-2xx, ${p.errors} errors)` : "");

interface Round {
  bare: Phase;
  bot: Phase;
  /** At a steady FIXED_RATE instead of as fast as possible: latency without queueing. */
  bareAtRate: Phase;
  botAtRate: Phase;
  /** Events the bot had handled (drafts queued or refusals answered) by SETTLE_S after its phase. */
  handled: number;
}

/** How long to watch the bot's background after its phase (it keeps going; the round ends). */
const SETTLE_S = 20;

/**
 * One round on a quiet machine: a fresh bot process on a fresh database (so the previous
 * round's backlog is not being worked off in the background), the bare middleware measured
 * first while that bot idles, then the bot.
 */
async function round(
  n: number,
  secret: string,
  accessToken: string,
  botUserId: string,
  lineUrl: string,
  bareUrl: string,
  users: string[],
): Promise<Round> {
  const database = await createPostgresDatabase("ab_bench_line");
  const botPort = await freePort();
  const bot = startProduct(
    {
      DATABASE_URL: database.url,
      REDIS_URL,
      LINE_CHANNEL_SECRET: secret,
      LINE_CHANNEL_ACCESS_TOKEN: accessToken,
      LINE_API_BASE_URL: lineUrl,
      PORT: String(botPort),
      ADMIN_PORT: String(await freePort()),
      LOG_LEVEL: "error",
    },
    "bot",
  );
  try {
    await bot.waitFor("Article Bot is running", 120_000);
    const botUrl = `http://127.0.0.1:${botPort}/line/webhook`;
    await phase(bareUrl, deliveries(2_000, secret, botUserId, users), WARMUP_S);
    const bareAtRate = await phase(
      bareUrl,
      deliveries(FIXED_RATE * RATE_S, secret, botUserId, users),
      RATE_S,
      FIXED_RATE,
    );
    const bare = await phase(bareUrl, deliveries(BODIES_PER_PHASE, secret, botUserId, users), MEASURE_S);
    console.log(`  round ${n}  bare @line/bot-sdk middleware  ${fmt(bare)}`);
    await phase(botUrl, deliveries(2_000, secret, botUserId, users), WARMUP_S);
    const botAtRate = await phase(
      botUrl,
      deliveries(FIXED_RATE * RATE_S, secret, botUserId, users),
      RATE_S,
      FIXED_RATE,
    );
    const bot_ = await phase(botUrl, deliveries(BODIES_PER_PHASE, secret, botUserId, users), MEASURE_S);
    console.log(`  round ${n}  Article Bot /line/webhook      ${fmt(bot_)}`);
    console.log(
      `           at a steady ${FIXED_RATE}/s: bare p50 ${bareAtRate.p50.toFixed(1)} ms, p99 ${bareAtRate.p99.toFixed(1)} ms; bot p50 ${botAtRate.p50.toFixed(1)} ms, p99 ${botAtRate.p99.toFixed(1)} ms`,
    );
    await new Promise((r) => setTimeout(r, SETTLE_S * 1000));
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const drafts = Number((await client.query(`SELECT count(*) AS n FROM "Generation"`)).rows[0].n);
    const refusals = Number(
      (await client.query(`SELECT coalesce(sum(refusals), 0) AS n FROM "DailyUsage"`)).rows[0].n,
    );
    await client.end();
    return { bare, bot: bot_, bareAtRate, botAtRate, handled: drafts + refusals };
  } finally {
    await bot.stop("SIGTERM");
    await cleanRedis(database.url);
    await database.drop();
  }
}

export async function run(): Promise<void> {
  const secret = randomBytes(16).toString("hex");
  const accessToken = `bench-${randomBytes(12).toString("hex")}`;
  const botUserId = `U${randomBytes(16).toString("hex")}`;
  const users = Array.from({ length: USERS }, () => `U${randomBytes(16).toString("hex")}`);
  const children: ChildProcess[] = [];
  try {
    const fakeLine = await spawnChild(["fake-line", accessToken, secret, botUserId]);
    children.push(fakeLine.child);
    const barePort = await freePort();
    children.push((await spawnChild(["bare", String(barePort), secret])).child);
    const bareUrl = `http://127.0.0.1:${barePort}/line/webhook`;

    console.log(
      `LINE webhook ingress (${CONNECTIONS} connections, ${MEASURE_S} s per phase, fresh signed text-message deliveries from ${USERS} users)`,
    );
    console.log(
      `  machine: ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at the start (other work on the machine shows up in every figure)`,
    );
    const rounds: Round[] = [];
    for (let n = 1; n <= ROUNDS; n++)
      rounds.push(await round(n, secret, accessToken, botUserId, fakeLine.said, bareUrl, users));

    const mean = (f: (r: Round) => number) => rounds.reduce((n, r) => n + f(r), 0) / rounds.length;
    const ratio = mean((r) => r.bot.rps) / mean((r) => r.bare.rps);
    const p99 = Math.max(...rounds.map((r) => r.bot.p99));
    console.log(
      `  mean: bare ${mean((r) => r.bare.rps).toFixed(0)}/s, bot ${mean((r) => r.bot.rps).toFixed(0)}/s = ${(ratio * 100).toFixed(0)}% of bare (target ≥ 50%); bot p99, worst round ${p99.toFixed(1)} ms (target < 50 ms)`,
    );
    const worst = (f: (r: Round) => number) => Math.max(...rounds.map(f));
    console.log(
      `  at a steady ${FIXED_RATE}/s, worst round: bare p99 ${worst((r) => r.bareAtRate.p99).toFixed(1)} ms, bot p99 ${worst((r) => r.botAtRate.p99).toFixed(1)} ms`,
    );
    const handledRate = mean((r) => r.handled) / (WARMUP_S + RATE_S + MEASURE_S + SETTLE_S);
    console.log(
      `  behind the 200s: ${mean((r) => r.handled).toFixed(0)} events handled per round within ${SETTLE_S} s after the phase (~${handledRate.toFixed(0)}/s: drafts queued, refusals answered); the rest wait in the Redis inbox`,
    );
    console.log(`  load average ${loadavg()[0]!.toFixed(1)} at the end`);
    console.log(`  ${ratio >= 0.5 && p99 < 50 ? "targets met" : "TARGETS NOT MET"}`);
  } finally {
    for (const c of children) c.kill("SIGTERM");
  }
}

/** The bot's queue for this throwaway database lives under a prefix of its own. */
async function cleanRedis(databaseUrl: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  try {
    await redis.connect();
    const prefix = `ab:bull:${decodeURIComponent(new URL(databaseUrl).pathname.slice(1))}:*`;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", prefix, "COUNT", 1_000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
