import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type Database, openDatabase } from "../../core/db/client.ts";

/**
 * Test access to the machine's real PostgreSQL and Redis. A missing service fails the test
 * with a message saying how to start it; tests never skip silently.
 */
export const PG_ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty PostgreSQL database of its own, so parallel test files never share data. */
export async function createPostgresDatabase(prefix = "ab_test"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(error as Error).message}). ` +
        "Start it (see README, Tests) or set TEST_DATABASE_ADMIN_URL.",
    );
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface OpenedTestDatabase {
  db: Database;
  cleanup(): Promise<void>;
}

/** A migrated-or-not Database on either engine, with its cleanup. */
export async function openTestDatabase(kind: "postgres" | "pglite"): Promise<OpenedTestDatabase> {
  if (kind === "postgres") {
    const target = await createPostgresDatabase();
    const db = await openDatabase({ database: { kind: "postgres", url: target.url } });
    return { db, cleanup: async () => (await db.close(), await target.drop()) };
  }
  const dir = await mkdtemp(path.join(tmpdir(), "ab-pglite-"));
  const db = await openDatabase({ database: { kind: "pglite", dir: path.join(dir, "pglite") } });
  return { db, cleanup: async () => (await db.close(), await rm(dir, { recursive: true, force: true })) };
}
