import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../core/db/client.ts";
import { MIGRATIONS_DIR, readMigrations } from "../../core/db/migrate.ts";
import { exerciseEveryModel } from "../helpers/every-model.ts";
import { shapeFromDatabase, shapeFromSchema } from "../helpers/schema-shape.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

const SCHEMA = path.join(MIGRATIONS_DIR, "..", "schema.prisma");

describe.each(["postgres", "pglite"] as const)("migrations on %s", (kind) => {
  let opened: OpenedTestDatabase;
  let db: Database;

  beforeAll(async () => {
    opened = await openTestDatabase(kind);
    db = opened.db;
  });
  afterAll(async () => opened?.cleanup());

  it("applies every committed migration to an empty database and records it as Prisma does", async () => {
    const local = await readMigrations();
    const report = await db.migrate();
    expect(report.applied).toEqual(local.map((m) => m.name));

    const rows = await db.sql.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
      rolled_back_at: Date | null;
      id: string;
    }>(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual(local.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      const file = readFileSync(path.join(MIGRATIONS_DIR, local[i]!.name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(file).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("is a no-op the second time", async () => {
    const report = await db.migrate();
    expect(report.applied).toEqual([]);
    expect(report.modified).toEqual([]);
    expect(report.alreadyApplied.length).toBeGreaterThan(0);
  });

  it("leaves a database whose tables, columns, indexes and keys are exactly what schema.prisma describes", async () => {
    const expected = shapeFromSchema(SCHEMA);
    const actual = await shapeFromDatabase(db.sql);
    expect(actual.enums).toEqual(expected.enums);
    expect(Object.keys(actual.columns).sort()).toEqual(Object.keys(expected.columns).sort());
    for (const table of Object.keys(expected.columns))
      expect({ table, columns: actual.columns[table] }).toEqual({ table, columns: expected.columns[table] });
    expect(actual.indexes).toEqual(expected.indexes);
    expect(actual.foreignKeys).toEqual(expected.foreignKeys);
  });

  it("serves every model through the generated client", async () => {
    const touched = await exerciseEveryModel(db);
    expect(touched.sort()).toEqual(Object.keys(shapeFromSchema(SCHEMA).columns).sort());
  });

  // Last, because it damages the schema: proves the comparison above would notice a drift.
  it("notices when the database drifts from schema.prisma", async () => {
    const expected = shapeFromSchema(SCHEMA);
    await db.sql.exec(`ALTER TABLE "Tier" ALTER COLUMN "maxWords" DROP NOT NULL`);
    await db.sql.exec(`DROP INDEX "Generation_createdAt_idx"`);
    await db.sql.exec(`ALTER TABLE "TokenUsage" DROP CONSTRAINT "TokenUsage_generationId_fkey"`);
    const drifted = await shapeFromDatabase(db.sql);
    expect(drifted.columns.Tier).not.toEqual(expected.columns.Tier);
    expect(drifted.indexes).not.toEqual(expected.indexes);
    expect(drifted.foreignKeys).not.toEqual(expected.foreignKeys);
  });
});

describe.each(["postgres", "pglite"] as const)("one workspace rollup (decision 125) on %s", (kind) => {
  let opened: OpenedTestDatabase;
  afterAll(async () => opened?.cleanup());

  it("fills DailyTenantUsage's new columns from DailyUsage and drops DailyTenantTotals", async () => {
    opened = await openTestDatabase(kind);
    const sql = opened.db.sql;
    const NAME = "20261202090000_one_tenant_rollup";
    const local = await readMigrations();
    for (const m of local.filter((m) => m.name < NAME)) await sql.exec(m.script);
    // Two requesters of one workspace on one day, one day with only a refusal, and the rollup
    // row the old writer kept (articles and cost only; none for the refusal-only day).
    await sql.exec(`
      INSERT INTO "Tier" (id, name, "burstPerMinute", "maxWords", "updatedAt") VALUES ('tier', 'T125', 5, 800, now());
      INSERT INTO "Tenant" (id, platform, "externalId", "defaultTierId", "updatedAt") VALUES ('t1', 'SLACK', 'T1', 'tier', now());
      INSERT INTO "Requester" (id, "tenantId", platform, "externalId", "updatedAt") VALUES
        ('r1', 't1', 'SLACK', 'U1', now()), ('r2', 't1', 'SLACK', 'U2', now());
      INSERT INTO "DailyUsage" (day, "requesterId", "tenantId", platform, articles, "cacheHits", failures, refusals,
        "costUsd", "savedUsd", "latencyBuckets", "updatedAt") VALUES
        ('2026-11-10', 'r1', 't1', 'SLACK', 3, 1, 1, 0, 0.5, 0.25, ARRAY[0,2,1], now()),
        ('2026-11-10', 'r2', 't1', 'SLACK', 2, 0, 0, 1, 0.25, 0, ARRAY[1,0,0,1], now()),
        ('2026-11-11', 'r1', 't1', 'SLACK', 0, 0, 0, 2, 0, 0, '{}', now());
      INSERT INTO "DailyTenantUsage" (day, "tenantId", articles, "costUsd", "updatedAt") VALUES ('2026-11-10', 't1', 5, 0.75, now());`);
    await sql.exec(local.find((m) => m.name === NAME)!.script);
    const rows = await sql.query<Record<string, unknown>>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, articles, "cacheHits", failures, refusals, "costUsd"::text AS cost,
         "savedUsd"::text AS saved, "latencyBuckets" FROM "DailyTenantUsage" ORDER BY day`,
    );
    expect(rows).toEqual([
      {
        day: "2026-11-10",
        articles: 5,
        cacheHits: 1,
        failures: 1,
        refusals: 1,
        cost: "0.750000000",
        saved: "0.250000000",
        latencyBuckets: [1, 2, 1, 1],
      },
      {
        day: "2026-11-11",
        articles: 0,
        cacheHits: 0,
        failures: 0,
        refusals: 2,
        cost: "0.000000000",
        saved: "0.000000000",
        latencyBuckets: [],
      },
    ]);
    const left = await sql.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_name = 'DailyTenantTotals'`,
    );
    expect(left).toEqual([{ n: 0 }]);
  });
});
