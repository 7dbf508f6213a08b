/**
 * Composition root: `npm start` runs every part in one process; `npm run bot|worker|admin`
 * runs one part each (production, several of each against shared PostgreSQL and Redis).
 * It is the only module that imports both bot/ and admin/.
 */

import { configuredPlatforms, sinksOf } from "./bot/platforms.ts";
import type { ChatPlatform } from "./bot/shared/platform.ts";
import { type AppContext, closeAppContext, openAppContext } from "./core/app.ts";
import { type Config, ConfigError, describeConfig, loadConfig, partProblems } from "./core/config.ts";
import { consoleSink } from "./core/deliver/console-sink.ts";
import { createLogger } from "./core/logger.ts";
import { createPipeline, type Pipeline } from "./core/pipeline/index.ts";
import { startWorker } from "./core/worker.ts";
import { startHttpServer } from "./ops/server.ts";
import { seed } from "./prisma/seed.ts";

type Part = "bot" | "worker" | "admin";
const ROLES: Record<string, Part[]> = {
  all: ["bot", "worker", "admin"],
  bot: ["bot"],
  worker: ["worker"],
  admin: ["admin"],
};

interface Running {
  name: string;
  url?: string;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const role = process.argv[2] ?? "all";
  const parts = ROLES[role];
  if (!parts) fail(`Unknown part "${role}": use one of ${Object.keys(ROLES).join(", ")}`);

  let config: Config;
  try {
    config = loadConfig();
    const missing = partProblems(config, parts);
    if (missing.length) throw new ConfigError(missing);
  } catch (error) {
    if (error instanceof ConfigError) fail(...error.problems.map((p) => `Configuration error: ${p}`));
    throw error;
  }
  if (role !== "all" && config.database.kind === "pglite")
    fail(
      `\`npm run ${role}\` needs DATABASE_URL: the embedded database lives inside one process, so use \`npm start\` without DATABASE_URL.`,
    );

  let app: AppContext;
  try {
    // A first start of the embedded database migrates and seeds it in a child process (decision 163).
    app = await openAppContext(config, createLogger(config.logLevel), { prepareOnCreate: config });
  } catch (error) {
    fail(`Start-up failed: ${(error as Error).message}`);
  }
  const running: Running[] = [];
  installShutdown(app, running);

  const migration = app.db.prepared?.migration ?? (await app.db.migrate());
  if (migration.modified.length)
    app.logger.warn({ modified: migration.modified }, "applied migrations were edited since");
  const seeded = app.db.prepared?.seed ?? (await seed(app.db, config));

  // One pipeline per process: the bot accepts into it, the worker runs it, the console uses
  // its quotas, cache and corpus. It gets every sink when it is made, so any worker can
  // deliver anywhere and none can start before its sinks exist.
  const platforms = await configuredPlatforms(app);
  const pipeline = createPipeline(app, { sinks: { ...sinksOf(platforms), CONSOLE: consoleSink } });

  for (const part of parts)
    running.push(await startPart(part, app, pipeline, platforms, !parts.includes("bot")));
  printBanner(role, config, running, seeded.adminCreated, seeded.adminMissing);
}

async function startPart(
  part: Part,
  app: AppContext,
  pipeline: Pipeline,
  platforms: ChatPlatform[],
  noBotServer: boolean,
): Promise<Running> {
  const host = app.config.http.host;
  switch (part) {
    case "bot": {
      const server = await startHttpServer(app, { host, port: app.config.http.port });
      const ingress = await Promise.all(platforms.map((p) => p.startIngress(server, pipeline)));
      return {
        name: "bot",
        url: server.url,
        close: async () => {
          for (const i of ingress) await i.close();
          await server.close();
        },
      };
    }
    case "worker": {
      const worker = await startWorker(app, pipeline);
      // A worker-only process has no bot server, yet it is where generations run, so its
      // metrics (latency, cost, errors, queue depth) need an endpoint Prometheus can scrape.
      const ops =
        app.config.metrics && noBotServer
          ? await startHttpServer(app, { host, port: app.config.metrics.port })
          : null;
      return {
        name: "worker",
        url: ops?.url,
        close: async () => {
          await worker.close();
          await ops?.close();
        },
      };
    }
    case "admin": {
      // Loaded on demand so a bot-only process never loads the console's server build.
      const { startAdmin } = await import("./admin/server.ts");
      const admin = await startAdmin(app, { host, port: app.config.admin.port, pipeline });
      return { name: "admin", url: admin.url, close: admin.close };
    }
  }
}

function printBanner(
  role: string,
  config: Config,
  running: Running[],
  admin?: { email: string; generatedPassword?: string },
  adminMissing?: string,
): void {
  const lines = ["", `Article Bot is running (${role === "all" ? "all parts in one process" : role}).`, ""];
  lines.push(...describeConfig(config).map((l) => `  ${l}`), "");
  for (const r of running) {
    if (r.name === "bot" && r.url) lines.push(`  bot        ${r.url}  (GET /healthz, /readyz, /metrics)`);
    if (r.name === "admin" && r.url) lines.push(`  console    ${r.url}`);
    if (r.name === "worker")
      lines.push(`  worker     running${r.url ? `  (GET ${r.url}/metrics, /healthz, /readyz)` : ""}`);
  }
  if (admin?.generatedPassword)
    lines.push(
      "",
      `  First console admin created: ${admin.email} / ${admin.generatedPassword}`,
      // stdout, once, never the JSON log: README, Security > Secrets.
      "  (shown once, here only; set a new one with `npm run console:user -- reset-password <email>`)",
    );
  else if (admin) lines.push("", `  First console admin created: ${admin.email}`);
  if (adminMissing) lines.push("", `  ${adminMissing}`);
  console.log(`${lines.join("\n")}\n`);
}

function installShutdown(app: AppContext, running: Running[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      app.logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    app.logger.info({ signal }, "shutting down");
    // Ingress first so no new work arrives, then the worker finishes, then the stores close.
    const ingressFirst = [...running].sort(
      (a, b) => Number(a.name === "worker") - Number(b.name === "worker"),
    );
    for (const r of ingressFirst)
      await r.close().catch((err) => app.logger.error({ err, part: r.name }, "close failed"));
    await closeAppContext(app).catch((err) => app.logger.error({ err }, "closing services failed"));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

function fail(...lines: string[]): never {
  for (const line of lines) console.error(line);
  process.exit(1);
}

main().catch((error: Error) => fail(`Start-up failed: ${error.message}`));
