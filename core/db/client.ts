import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { z } from "zod";
import type { SeedReport } from "../../prisma/seed.ts";
import type { Config } from "../config.ts";
import { PrismaClient } from "./generated/client.ts";
import { acquireDirLock } from "./lock.ts";
import { type MigrationReport, migrate } from "./migrate.ts";
import { pgExecutor, pgliteExecutor, type SqlExecutor } from "./sql.ts";

export type * from "./generated/client.ts";
export { Prisma, PrismaClient } from "./generated/client.ts";

/** The database port: one Prisma client plus raw SQL, over PostgreSQL or embedded PGlite. */
export interface Database {
  kind: "postgres" | "pglite";
  prisma: PrismaClient;
  sql: SqlExecutor;
  migrate(): Promise<MigrationReport>;
  /**
   * Set when this open created the embedded database and, asked to (`prepareOnCreate`), also
   * migrated and seeded it in the child process that created it: what those runs reported.
   */
  prepared?: Prepared;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The embedded database is one person trying the product: PostgreSQL's default 128 MB of shared
 * buffers would hold the whole database several times over and, once touched, stay resident in
 * PGlite's WebAssembly heap (which never shrinks). 16 MB keeps idle memory ~120 MiB lower; the
 * operating system's file cache still holds what the buffers do not. Command-line settings, so
 * the data directory's own postgresql.conf is left as initdb wrote it.
 */
export const EMBEDDED_SETTINGS = ["-c", "shared_buffers=16MB", "-c", "wal_buffers=1MB"];

/** Without a configured size (tests, tools): what node-postgres defaults to. */
const DEFAULT_POOL_SIZE = 10;
/**
 * How long establishing one connection may take before the server counts as unreachable. A
 * refused or reset connection fails at once whatever this says; the handshake's replies are read
 * by this process's event loop, so a busy process needs room here (5 s failed a benchmark's
 * front process while its loop was saturated).
 */
const CONNECT_TIMEOUT_MS = 30_000;
/** Waiting for a pooled connection to start a transaction: long, since giving up fails the work. */
const TRANSACTION_MAX_WAIT_MS = 120_000;

/** A pooled client whose connection attempt times out, while waiting for a free one does not. */
class BoundedConnect extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(
      typeof config === "string"
        ? { connectionString: config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }
        : { ...config, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    );
  }
}

export interface Prepared {
  migration: MigrationReport;
  seed: SeedReport;
}

export interface OpenOptions {
  /**
   * On a first start of the embedded database, create, migrate and seed it (with these admin
   * settings) in a child process, not only initdb in a worker thread (decision 163). For `npm start`.
   */
  prepareOnCreate?: Pick<Config, "admin">;
}

export async function openDatabase(
  config: Pick<Config, "database">,
  options: OpenOptions = {},
): Promise<Database> {
  const target = config.database;
  if (target.kind === "postgres") {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? DEFAULT_POOL_SIZE,
      // A busy pool is waited out in its queue, never turned into an error: a draft that found
      // every connection in use must be slower, not failed (decision 130). Reaching the server
      // is what times out, in the client itself (BoundedConnect), so an outage still fails fast.
      connectionTimeoutMillis: 0,
      Client: BoundedConnect,
    });
    // An idle client that loses its server emits 'error'; without a listener that kills the process.
    pool.on("error", () => undefined);
    const prisma = new PrismaClient({
      adapter: new PrismaPg(pool),
      // The same for an interactive transaction's connection (Prisma's own default gives up after 2 s).
      transactionOptions: { maxWait: TRANSACTION_MAX_WAIT_MS },
    });
    return wrap("postgres", prisma, pgExecutor(pool), () => pool.end());
  }
  await mkdir(target.dir, { recursive: true });
  const release = await acquireDirLock(path.join(target.dir, "..", "pglite.lock"));
  try {
    let prepared: Prepared | undefined;
    if (!existsSync(path.join(target.dir, "PG_VERSION"))) {
      if (options.prepareOnCreate) prepared = await prepareInChild(target.dir, options.prepareOnCreate);
      else await initdbInWorker(target.dir);
    }
    const lite = new PGlite(target.dir, {
      startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS],
    });
    await lite.waitReady;
    const db = embeddedDatabase(lite, release);
    return prepared ? { ...db, prepared } : db;
  } catch (error) {
    await release();
    throw error;
  }
}

/** A Database over an open PGlite instance; closing it closes the instance, then runs `after`. */
export function embeddedDatabase(lite: PGlite, after: () => Promise<void> = async () => undefined): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
  return wrap("pglite", prisma, pgliteExecutor(lite), async () => {
    await lite.close();
    await after();
  });
}

/**
 * A first start runs initdb inside PGlite's WebAssembly instance, whose heap grows to several
 * hundred MiB and never shrinks; closed in the main thread, that memory stays resident until V8
 * happens to collect it (tens of seconds, or never while the process is idle). In a worker
 * thread it is returned when the thread ends, so a first start costs what a warm start costs.
 * The worker is a few lines of plain JavaScript, so it runs the same from sources and from dist/.
 */
async function initdbInWorker(dir: string): Promise<void> {
  const code = `
    const { workerData } = require("node:worker_threads");
    import(workerData.pglite).then(async ({ PGlite }) => {
      const lite = new PGlite(workerData.dir, { startParams: [...PGlite.defaultStartParams, ...workerData.settings] });
      await lite.waitReady;
      await lite.close();
    });`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { dir, pglite: import.meta.resolve("@electric-sql/pglite"), settings: EMBEDDED_SETTINGS },
  });
  await untilExit(worker);
}

/**
 * Migrations and the seed grow PGlite's heap too (and leave V8 and malloc garbage): after a first
 * start the process idled ~100 MiB above a warm one. So `npm start` runs initdb, the migrations
 * and the seed in a child process (core/db/first-start.ts), which sends back what they reported;
 * the password the seed may generate travels in that report to main.ts, which prints it, once.
 * The directory lock is held by this process throughout. Sources run the entry's .ts through
 * tsx; in dist/ ops/build-server.mjs writes it as dist/first-start.js.
 */
async function prepareInChild(dir: string, config: Pick<Config, "admin">): Promise<Prepared> {
  // Only what seeding reads, as plain data (the admin settings also hold a secret and a parser).
  const { port, email, password } = config.admin;
  // import.meta.filename, not .url (which the build rewrites to this source file's): in dist/
  // this code is a chunk at dist/'s root, beside the entry the build writes there.
  const fromSources = import.meta.filename.endsWith(".ts");
  const entry = path.join(import.meta.dirname, fromSources ? "first-start.ts" : "first-start.js");
  // A child process, not a worker thread: a thread's malloc arena (~130 MiB after initdb,
  // migrations and the seed) stays with the process when the thread ends; a process's goes.
  const child = fork(entry, [], {
    // From the sources (tests, `node --import tsx`), the loader as npm's scripts name it; dist/
    // needs none, and a production install has none (decision 160).
    execArgv: fromSources ? ["--import", "tsx"] : [],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // The input goes over the IPC channel, never argv: the admin password is in it.
  child.send({ dir, admin: { port, email, password } });
  let report: unknown;
  child.once("message", (message) => (report = message));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (c) => resolve(c));
  });
  const failed = z.object({ error: z.string() }).safeParse(report);
  if (failed.success) throw new Error(failed.data.error);
  const parsed = preparedSchema.safeParse(report);
  if (code !== 0 || !parsed.success) throw new Error(`creating the embedded database failed (exit ${code})`);
  return parsed.data;
}

const preparedSchema = z.object({
  migration: z.object({
    applied: z.array(z.string()),
    alreadyApplied: z.array(z.string()),
    modified: z.array(z.string()),
  }),
  seed: z.object({
    tiersCreated: z.array(z.string()),
    pricesCreated: z.array(z.string()),
    adminCreated: z.object({ email: z.string(), generatedPassword: z.string().optional() }).optional(),
    adminMissing: z.string().optional(),
  }),
});

/** An error thrown in the thread rejects with it as it was (its message is what main.ts prints). */
function untilExit(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`creating the embedded database failed (exit ${code})`)),
    );
  });
}

function wrap(
  kind: Database["kind"],
  prisma: PrismaClient,
  sql: SqlExecutor,
  end: () => Promise<void>,
): Database {
  let closed = false;
  return {
    kind,
    prisma,
    sql,
    migrate: () => migrate(sql),
    async ping() {
      await sql.query("SELECT 1");
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await end();
    },
  };
}
