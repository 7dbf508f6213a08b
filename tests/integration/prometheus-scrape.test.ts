import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseYAML } from "confbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { connectRedis } from "../../core/redis.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import { seed } from "../../prisma/seed.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { freePort, ROOT, type Started, startProduct } from "../helpers/process.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../helpers/services.ts";
import { until } from "../helpers/wait.ts";

/**
 * A real Prometheus (Debian's package) scrapes a real bot server and a real worker process
 * (`main.ts worker` with METRICS_PORT) every second, with deploy/prometheus/alerts.yml
 * loaded, the way the compose stack runs them: requests accepted by the bot, drafts written by
 * the worker, and what Prometheus then knows about them, read back through its HTTP API.
 */

const ALERTS = path.join(ROOT, "deploy/prometheus/alerts.yml");
const alertNames = parseYAML<{ groups: { rules: { alert: string }[] }[] }>(
  readFileSync(ALERTS, "utf8"),
).groups.flatMap((g) => g.rules.map((r) => r.alert));

let database: TestDatabase;
let fake: FakeOpenAI;
let app: AppContext;
let pipeline: Pipeline;
let bot: HttpServer;
let worker: Started;
let prometheus: ChildProcess | undefined;
let prometheusLog = "";
let prometheusUrl: string;
let workDir: string;

/** Prometheus scrapes and evaluates on its own clock: wait longer, ask less often, show its log. */
const untilPrometheus = <T>(what: string, probe: () => Promise<T>) =>
  until(what, probe, {
    timeoutMs: 60_000,
    intervalMs: 250,
    context: () => `prometheus log:\n${prometheusLog.slice(-3000)}`,
  });

async function api<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${prometheusUrl}${pathAndQuery}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`${pathAndQuery}: ${body.error ?? res.status}`);
  return body.data;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
const query = (promql: string) =>
  api<{ resultType: string; result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`).then(
    (d) => d.result,
  );
const scalar = async (promql: string) => {
  const [first] = await query(promql);
  return first ? Number(first.value[1]) : undefined;
};

function ask(text: string, platform: "CONSOLE" | "LINE", requester: string): ChatRequest {
  const id = randomBytes(6).toString("hex");
  return {
    platform,
    eventId: `prom-${id}`,
    tenant: { externalId: "prometheus-test" },
    requester: { externalId: requester },
    input: { kind: "text", text },
    destination: { platform: "CONSOLE", conversation: id },
  };
}

beforeAll(async () => {
  const version = spawnSync("prometheus", ["--version"], { encoding: "utf8" });
  if ((version.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
    throw new Error(
      "The prometheus binary is not installed: apt-get install prometheus (Debian's package, 2.42 or later)",
    );

  database = await createPostgresDatabase("ab_prometheus");
  fake = await startFakeOpenAI();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
  };
  const config = loadConfig({ ...env, PORT: "0", ADMIN_PORT: "0" });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = connectRedis(REDIS_URL);
  await redis.connect();
  app = { config, logger: createLogger("silent"), db, redis };

  // The bot: accepts requests into the queue and serves /metrics, as `main.ts bot` does.
  pipeline = createPipeline(app);
  bot = await startHttpServer(app, { host: "127.0.0.1", port: 0 });

  // The worker: a process of its own, as in production, exposing its metrics on METRICS_PORT.
  const metricsPort = await freePort();
  worker = startProduct({ ...env, PORT: "0", ADMIN_PORT: "0", METRICS_PORT: String(metricsPort) }, "worker");
  await worker.waitFor("Article Bot is running");
  expect(worker.output()).toContain(`http://127.0.0.1:${metricsPort}/metrics`);

  workDir = await mkdtemp(path.join(tmpdir(), "ab-prometheus-"));
  const promPort = await freePort();
  prometheusUrl = `http://127.0.0.1:${promPort}`;
  // JSON is YAML, so the configuration needs no YAML writer.
  await writeFile(
    path.join(workDir, "prometheus.yml"),
    JSON.stringify({
      global: { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" },
      rule_files: [ALERTS],
      scrape_configs: [
        { job_name: "article-bot", static_configs: [{ targets: [new URL(bot.url).host] }] },
        { job_name: "article-worker", static_configs: [{ targets: [`127.0.0.1:${metricsPort}`] }] },
      ],
    }),
  );
  prometheus = spawn(
    "prometheus",
    [
      `--config.file=${path.join(workDir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(workDir, "data")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  prometheus.stdout!.on("data", (d) => (prometheusLog += d));
  prometheus.stderr!.on("data", (d) => (prometheusLog += d));
  await untilPrometheus(
    "Prometheus ready",
    async () => prometheus!.exitCode === null && (await fetch(`${prometheusUrl}/-/ready`)).ok,
  );
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once("exit", r));
    prometheus.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (prometheus.exitCode === null) prometheus.kill("SIGKILL");
  }
  await worker?.stop();
  await bot?.close();
  await pipeline?.close();
  app?.redis?.disconnect();
  await app?.db.close();
  await fake?.close();
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe("Prometheus scraping the bot and a worker", () => {
  it("finds both targets up", async () => {
    const targets = await untilPrometheus("both targets up", async () => {
      const data = await api<{
        activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
      }>("/api/v1/targets");
      return (
        data.activeTargets.length === 2 &&
        data.activeTargets.every((t) => t.health === "up") &&
        data.activeTargets
      );
    });
    expect(targets.map((t) => t.labels.job).sort()).toEqual(["article-bot", "article-worker"]);
    expect(await scalar('count(process_resident_memory_bytes{job=~"article-bot|article-worker"})')).toBe(2);
  });

  it("sees a request accepted by the bot and the draft the worker wrote for it", async () => {
    const accepted = await pipeline.accept(
      ask("write an article about AI in retail for executives", "CONSOLE", "ops-1"),
    );
    expect(accepted.kind).toBe("queued");

    expect(
      await untilPrometheus("the accepted request in Prometheus", () =>
        scalar('sum(article_requests_total{job="article-bot",outcome="accepted",platform="CONSOLE"})'),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await untilPrometheus("the delivered draft in Prometheus", () =>
        scalar('sum(article_generation_duration_seconds_count{job="article-worker",cache="miss"})'),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await untilPrometheus("chat tokens in Prometheus", () =>
        scalar('sum(openai_tokens_used_total{job="article-worker",operation="chat"})'),
      ),
    ).toBeGreaterThan(100);
    expect(await scalar('sum(cost_per_article_dollars_sum{job="article-worker"})')).toBeGreaterThan(0);
    expect(
      await scalar('sum(topic_cache_lookups_total{job="article-worker",result="miss"})'),
    ).toBeGreaterThanOrEqual(1);
    // The worker reports the queue it works on every few seconds.
    expect(
      await untilPrometheus("queue depth from the worker", () =>
        query('article_queue_depth{job="article-worker"}').then((r) => r.length === 1),
      ),
    ).toBe(true);
  });

  it("loads every rule of alerts.yml and evaluates each without error", async () => {
    const rules = await untilPrometheus("every rule evaluated", async () => {
      const data = await api<{
        groups: {
          rules: { name: string; type: string; health: string; lastError?: string; lastEvaluation: string }[];
        }[];
      }>("/api/v1/rules");
      const all = data.groups.flatMap((g) => g.rules);
      return (
        all.length === alertNames.length && all.every((r) => !r.lastEvaluation.startsWith("0001")) && all
      );
    });
    expect(rules.map((r) => r.name).sort()).toEqual([...alertNames].sort());
    for (const r of rules)
      expect({ rule: r.name, type: r.type, health: r.health, error: r.lastError ?? "" }).toEqual({
        rule: r.name,
        type: "alerting",
        health: "ok",
        error: "",
      });
  });

  it("turns a burst of quota refusals from the bot into a pending QuotaRefusalSpike alert", async () => {
    // LINE requesters are on the Free tier: 10 articles a day. The 11th is refused.
    const requester = `line-${randomBytes(3).toString("hex")}`;
    const results: string[] = [];
    for (let i = 0; i < 11; i++)
      results.push(
        (await pipeline.accept(ask(`write about smart farming idea ${i}`, "LINE", requester))).kind,
      );
    expect(results.filter((k) => k === "queued")).toHaveLength(10);
    expect(results.at(-1)).toBe("refused");
    // Prometheus must see the counter before the burst, or the burst is only its first value.
    await untilPrometheus("the first refusal in Prometheus", () =>
      scalar('sum(quota_refusals_total{tier="Free"})'),
    );
    for (let i = 0; i < 30; i++)
      expect(
        (await pipeline.accept(ask(`write about smart farming again ${i}`, "LINE", requester))).kind,
      ).toBe("refused");

    const alert = await untilPrometheus("QuotaRefusalSpike pending", async () => {
      const data = await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(
        "/api/v1/alerts",
      );
      return data.alerts.find((a) => a.labels.alertname === "QuotaRefusalSpike");
    });
    expect(alert.labels).toMatchObject({ tier: "Free", severity: "warning" });
    expect(alert.state).toBe("pending"); // it fires after 5 minutes of this
  });

  it("a worker stopped with SIGTERM closes its metrics endpoint and exits cleanly, and Prometheus notices", async () => {
    expect(await worker.stop()).toBe(0);
    const down = await untilPrometheus("the worker target down", async () => {
      const data = await api<{ activeTargets: { labels: Record<string, string>; health: string }[] }>(
        "/api/v1/targets",
      );
      return data.activeTargets.find((t) => t.labels.job === "article-worker" && t.health === "down");
    });
    expect(down.labels.job).toBe("article-worker");
    expect(
      await untilPrometheus(
        "up == 0 for the worker",
        async () => (await scalar('up{job="article-worker"}')) === 0 && true,
      ),
    ).toBe(true);
  });
});
