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
