/**
 * The system under load, as production runs it: `node main.ts bot` and `node main.ts worker`
 * processes on a fresh PostgreSQL database and the machine's Redis, talking to local fakes of
 * OpenAI (realistic latency), LINE and Slack. Loopback only.
 */
import { readFile } from "node:fs/promises";
import { Queue } from "bullmq";
import { queuePrefix } from "../../core/jobs/index.ts";
import { type FakeLine, startFakeLine } from "../../tests/fakes/line.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../../tests/fakes/openai.ts";
import { type FakeSlack, startFakeSlack } from "../../tests/fakes/slack.ts";
import { freePort, type Started, startProduct } from "../../tests/helpers/process.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../../tests/helpers/services.ts";

export interface StackOptions {
  bots: number;
  workers: number;
  /** Fake OpenAI pacing: the guide's realistic figures are ~500 ms to first token, ~50 tokens/s. */
  firstTokenLatencyMs?: number;
  tokensPerSecond?: number;
}

export interface Stack {
  botUrls: string[];
  line: FakeLine;
  slack: FakeSlack;
  openai: FakeOpenAI;
  database: TestDatabase;
  processes: Array<{ name: string; started: Started }>;
  queueDepth(): Promise<{ waiting: number; active: number }>;
  /** Resident memory of every bot and worker process, MiB. */
  memory(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const database = await createPostgresDatabase("ab_load");
  const openai = await startFakeOpenAI({
    firstTokenLatencyMs: opts.firstTokenLatencyMs ?? 500,
    tokensPerSecond: opts.tokensPerSecond ?? 50,
  });
  const line = await startFakeLine({ replyTokenTtlMs: 60_000 });
  const slack = await startFakeSlack();
  const env = {
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    LINE_CHANNEL_SECRET: line.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: line.accessToken,
    LINE_API_BASE_URL: line.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.url,
    ADMIN_EMAIL: "load@example.com",
    ADMIN_PASSWORD: "load-test-password-1",
    SESSION_SECRET: "0123456789abcdef0123456789abcdef",
  };
  const processes: Stack["processes"] = [];
  const botUrls: string[] = [];
  const start = async (part: "bot" | "worker", index: number) => {
    const port = await freePort();
    const started = startProduct({ ...env, PORT: String(port), ADMIN_PORT: String(await freePort()) }, part);
    processes.push({ name: `${part}-${index + 1}`, started });
    await started.waitFor("Article Bot is running", 120_000);
    if (part === "bot") botUrls.push(`http://127.0.0.1:${port}`);
  };
  // The first process migrates and seeds alone; the rest start together on a ready database.
  await start("bot", 0);
  await Promise.all([
    ...Array.from({ length: opts.bots - 1 }, (_, i) => start("bot", i + 1)),
    ...Array.from({ length: opts.workers }, (_, i) => start("worker", i)),
  ]);

  const queue = new Queue("articles", {
    connection: { url: REDIS_URL },
    prefix: queuePrefix({ kind: "postgres", url: database.url }),
  });
  return {
    botUrls,
    line,
    slack,
    openai,
    database,
    processes,
    async queueDepth() {
      const c = await queue.getJobCounts("wait", "delayed", "prioritized", "active");
      return { waiting: (c.wait ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0 };
    },
    async memory() {
      const out: Record<string, number> = {};
      for (const p of processes) {
        const status = await readFile(`/proc/${p.started.child.pid}/status`, "utf8").catch(() => "");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
        if (Number.isFinite(kb)) out[p.name] = kb / 1024;
      }
      return out;
    },
    async stop() {
      await Promise.all(processes.map((p) => p.started.stop("SIGTERM")));
      await queue.close();
      await line.close();
      await slack.close();
      await openai.close();
      await database.drop();
    },
  };
}
