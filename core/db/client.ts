import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
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
const EMBEDDED_SETTINGS = ["-c", "shared_buffers=16MB", "-c", "wal_buffers=1MB"];

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

export async function openDatabase(config: Pick<Config, "database">): Promise<Database> {
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
    const lite = await openPGlite(target.dir);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) });
    return wrap("pglite", prisma, pgliteExecutor(lite), async () => {
      await lite.close();
      await release();
    });
  } catch (error) {
    await release();
    throw error;
  }
}

async function openPGlite(dir: string): Promise<PGlite> {
  if (!existsSync(path.join(dir, "PG_VERSION"))) await initdbInWorker(dir);
  const lite = new PGlite(dir, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  await lite.waitReady;
  return lite;
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
  await new Promise<void>((resolve, reject) => {
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
