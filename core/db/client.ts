import { mkdir } from "node:fs/promises";
import path from "node:path";
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

export async function openDatabase(config: Pick<Config, "database">): Promise<Database> {
  const target = config.database;
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 5_000 });
    // An idle client that loses its server emits 'error'; without a listener that kills the process.
    pool.on("error", () => undefined);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return wrap("postgres", prisma, pgExecutor(pool), () => pool.end());
  }
  await mkdir(target.dir, { recursive: true });
  const release = await acquireDirLock(path.join(target.dir, "..", "pglite.lock"));
  try {
    const lite = new PGlite(target.dir);
    await lite.waitReady;
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
