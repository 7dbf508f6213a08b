import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

/**
 * Raw SQL below Prisma, for the few things Prisma cannot do through its client:
 * applying migration scripts (many statements at once) and advisory locks.
 */
export interface SqlExecutor {
  /** Runs a script of one or more statements (simple query protocol, no parameters). */
  exec(script: string): Promise<void>;
  query<Row extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `work` on one connection, so session-level locks and transactions hold across calls. */
  withConnection<T>(work: (conn: SqlExecutor) => Promise<T>): Promise<T>;
}

export function pgExecutor(pool: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async exec(script) {
      await pool.query(script);
    },
    async query(text, params) {
      return (await pool.query(text, params as unknown[])).rows;
    },
    async withConnection(work) {
      if (!("connect" in pool) || !("totalCount" in pool)) return work(this);
      const client = await pool.connect();
      try {
        return await work(pgExecutor(client));
      } finally {
        client.release();
      }
    },
  };
}

/** PGlite is a single connection already, so withConnection is the executor itself. */
export function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    async exec(script) {
      await db.exec(script);
    },
    async query(text, params) {
      return (await db.query(text, params as unknown[])).rows as never;
    },
    async withConnection(work) {
      return work(this);
    },
  };
}
