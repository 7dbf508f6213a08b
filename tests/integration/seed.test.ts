import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "../../core/admin/password.ts";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { readMigrations } from "../../core/db/migrate.ts";
import { seed } from "../../prisma/seed.ts";
import { DEFAULT_ADMIN_EMAIL } from "../../prisma/seed-data.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

async function snapshot(db: Database) {
  const [tiers, prices, admins] = await Promise.all([
    db.prisma.tier.findMany({ orderBy: { name: "asc" } }),
    db.prisma.modelPrice.findMany({ orderBy: { model: "asc" } }),
    db.prisma.adminUser.findMany({ orderBy: { email: "asc" } }),
  ]);
  return JSON.stringify({ tiers, prices, admins });
}

let opened: OpenedTestDatabase | undefined;
afterEach(async () => {
  await opened?.cleanup();
  opened = undefined;
});

describe("seed", () => {
  it("creates the tiers, prices and first admin once; a second run changes nothing", async () => {
    opened = await openTestDatabase("postgres");
    const { db } = opened;
    await db.migrate();
    const config = {
      database: { kind: "postgres" as const, url: "unused" },
      admin: { port: 0, email: "owner@example.com", password: "correct horse battery" },
    };

    const first = await seed(db, config);
    expect(first.tiersCreated).toEqual(["Free", "Pro", "Enterprise"]);
    expect(first.pricesCreated).toContain("gpt-4o-mini");
    expect(first.adminCreated).toEqual({ email: "owner@example.com" });

    const tiers = Object.fromEntries((await db.prisma.tier.findMany()).map((t) => [t.name, t]));
    expect([tiers.Free?.dailyArticleLimit, tiers.Free?.burstPerMinute, tiers.Free?.maxWords]).toEqual([
      10, 10, 800,
    ]);
    expect([tiers.Pro?.dailyArticleLimit, tiers.Pro?.burstPerMinute, tiers.Pro?.maxWords]).toEqual([
      100, 30, 2000,
    ]);
    expect([
      tiers.Enterprise?.dailyArticleLimit,
      tiers.Enterprise?.burstPerMinute,
      tiers.Enterprise?.maxWords,
    ]).toEqual([null, 60, 4000]);

    const admin = await db.prisma.adminUser.findUniqueOrThrow({ where: { email: "owner@example.com" } });
    expect(admin.role).toBe("ADMIN");
    expect(admin.passwordHash).not.toContain("correct horse");
    expect(await verifyPassword(admin.passwordHash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(admin.passwordHash, "wrong")).toBe(false);

    const before = await snapshot(db);
    const second = await seed(db, config);
    expect(second).toEqual({ tiersCreated: [], pricesCreated: [] });
    expect(await snapshot(db)).toBe(before);
  });

  it("keeps an admin's edits to a seeded tier", async () => {
    opened = await openTestDatabase("postgres");
    const { db } = opened;
    await db.migrate();
    const config = { database: { kind: "postgres" as const, url: "unused" }, admin: { port: 0 } };
    await seed(db, config);
    await db.prisma.tier.update({ where: { name: "Free" }, data: { dailyArticleLimit: 3 } });
    await seed(db, config);
    expect((await db.prisma.tier.findUniqueOrThrow({ where: { name: "Free" } })).dailyArticleLimit).toBe(3);
  });

  it("says how to create the first admin against PostgreSQL when none is configured", async () => {
    opened = await openTestDatabase("postgres");
    await opened.db.migrate();
    const report = await seed(opened.db, {
      database: { kind: "postgres", url: "unused" },
      admin: { port: 0 },
    });
    expect(report.adminCreated).toBeUndefined();
    expect(report.adminMissing).toContain("ADMIN_EMAIL and ADMIN_PASSWORD");
    expect(await opened.db.prisma.adminUser.count()).toBe(0);
  });

  it("generates the embedded admin's password once, and only once", async () => {
    opened = await openTestDatabase("pglite");
    const { db } = opened;
    await db.migrate();
    const config = { database: { kind: "pglite" as const, dir: "unused" }, admin: { port: 0 } };
    const first = await seed(db, config);
    expect(first.adminCreated?.email).toBe(DEFAULT_ADMIN_EMAIL);
    const password = first.adminCreated?.generatedPassword;
    expect(password).toMatch(/^[\w-]{16}$/);
    const admin = await db.prisma.adminUser.findUniqueOrThrow({ where: { email: DEFAULT_ADMIN_EMAIL } });
    expect(await verifyPassword(admin.passwordHash, password!)).toBe(true);

    const second = await seed(db, config);
    expect(second.adminCreated).toBeUndefined();
    expect(await db.prisma.adminUser.count()).toBe(1);
  });

  it("migrates and seeds a first start's database in its worker thread, and hands the password back once (decision 163)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ab-first-start-"));
    const config = {
      database: { kind: "pglite" as const, dir: path.join(dir, "pglite") },
      admin: { port: 0 },
    };
    try {
      const db = await openDatabase(config, { prepareOnCreate: config });
      try {
        const prepared = db.prepared;
        expect(prepared?.migration.applied).toEqual((await readMigrations()).map((m) => m.name));
        expect(prepared?.seed.tiersCreated.length).toBeGreaterThan(0);
        const password = prepared?.seed.adminCreated?.generatedPassword;
        expect(password).toMatch(/^[\w-]{16}$/);
        // Argon2 hashed it inside the worker thread; this thread's database has it.
        const admin = await db.prisma.adminUser.findUniqueOrThrow({ where: { email: DEFAULT_ADMIN_EMAIL } });
        expect(await verifyPassword(admin.passwordHash, password!)).toBe(true);
        expect((await db.migrate()).applied).toEqual([]);
      } finally {
        await db.close();
      }
      const again = await openDatabase(config, { prepareOnCreate: config });
      expect(again.prepared).toBeUndefined(); // not a first start: main.ts migrates and seeds as before
      expect((await seed(again, config)).adminCreated).toBeUndefined();
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
