import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SqlExecutor } from "./sql.ts";

/**
 * Applies prisma/migrations/* the way `prisma migrate deploy` does, without Prisma's native
 * schema engine (which these machines cannot download). Each migration is recorded in
 * `_prisma_migrations` with the same columns, checksum (SHA-256 of migration.sql) and lock
 * that Prisma uses, so a database set up here can later be managed by the Prisma CLI and the
 * other way round. One difference, on purpose: each script runs in a transaction, so a
 * failing migration leaves no half-applied schema behind (PostgreSQL DDL is transactional).
 */

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

// Prisma's own advisory-lock key, so our runner and `prisma migrate deploy` exclude each other.
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

export interface LocalMigration {
  name: string;
  script: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: string[];
  /** Applied migrations whose file changed since: Prisma warns about these too. */
  modified: string[];
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: string,
  ) {
    super(message);
    this.name = "MigrationError";
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<LocalMigration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const script = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, script, checksum: createHash("sha256").update(script).digest("hex") };
    }),
  );
}

interface AppliedRow extends Record<string, unknown> {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function migrate(sql: SqlExecutor, dir = MIGRATIONS_DIR): Promise<MigrationReport> {
  const local = await readMigrations(dir);
  return sql.withConnection(async (conn) => {
    await conn.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    try {
      await conn.exec(CREATE_MIGRATIONS_TABLE);
      const rows = await conn.query<AppliedRow>(
        `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
      );
      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        throw new MigrationError(
          `Migration ${failed.migration_name} failed earlier and was not resolved; fix the database, then mark it with \`prisma migrate resolve\``,
          failed.migration_name,
        );
      }
      const done = new Map(
        rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r.checksum]),
      );
      const report: MigrationReport = { applied: [], alreadyApplied: [], modified: [] };
      for (const m of local) {
        const appliedChecksum = done.get(m.name);
        if (appliedChecksum !== undefined) {
          report.alreadyApplied.push(m.name);
          if (appliedChecksum !== m.checksum) report.modified.push(m.name);
          continue;
        }
        await applyOne(conn, m);
        report.applied.push(m.name);
      }
      return report;
    } finally {
      await conn.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]);
    }
  });
}

async function applyOne(conn: SqlExecutor, m: LocalMigration): Promise<void> {
  const id = randomUUID();
  try {
    await conn.exec(`BEGIN;\n${m.script}\n;`);
    await conn.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [id, m.checksum, m.name],
    );
    await conn.exec("COMMIT;");
  } catch (error) {
    await conn.exec("ROLLBACK;").catch(() => undefined);
    throw new MigrationError(
      `Migration ${m.name} failed and was rolled back: ${(error as Error).message}`,
      m.name,
    );
  }
}
