import { randomBytes } from "node:crypto";
import { hashPassword } from "../core/admin/password.ts";
import type { Config } from "../core/config.ts";
import type { Database } from "../core/db/client.ts";
import { bumpCatalogVersion } from "../core/records/catalog-version.ts";
import { DEFAULT_ADMIN_EMAIL, SEED_MODEL_PRICES, SEED_TIERS } from "./seed-data.ts";

export interface SeedReport {
  tiersCreated: string[];
  pricesCreated: string[];
  /** Set when this run created the first admin. */
  adminCreated?: { email: string; generatedPassword?: string };
  /** Set when no admin exists and none could be created (production without ADMIN_PASSWORD). */
  adminMissing?: string;
}

/**
 * Idempotent: creates what is missing and never changes what exists, so re-running it
 * (every start does) cannot undo an admin's edits to tiers or prices.
 */
export async function seed(db: Database, config: Pick<Config, "admin" | "database">): Promise<SeedReport> {
  const { prisma } = db;
  const report: SeedReport = { tiersCreated: [], pricesCreated: [] };

  for (const tier of SEED_TIERS) {
    const created = await prisma.tier.createMany({ data: [tier], skipDuplicates: true });
    if (created.count) report.tiersCreated.push(tier.name);
  }
  for (const price of SEED_MODEL_PRICES) {
    const created = await prisma.modelPrice.createMany({ data: [price], skipDuplicates: true });
    if (created.count) report.pricesCreated.push(price.model);
  }
  // Running processes may hold "no such price" or an older tier list in their catalog.
  if (report.tiersCreated.length || report.pricesCreated.length) await bumpCatalogVersion(prisma);

  const { email, password } = config.admin;
  if (email && password) {
    if (!(await prisma.adminUser.findUnique({ where: { email } }))) {
      if (await createAdmin(db, email, password)) report.adminCreated = { email };
    }
  } else if ((await prisma.adminUser.count()) === 0) {
    if (config.database.kind === "pglite") {
      // Embedded mode is for trying the product: make an admin and show its password once.
      const generatedPassword = randomBytes(12).toString("base64url");
      const adminEmail = email ?? DEFAULT_ADMIN_EMAIL;
      if (await createAdmin(db, adminEmail, generatedPassword))
        report.adminCreated = { email: adminEmail, generatedPassword };
    } else {
      report.adminMissing =
        "No console admin yet: set ADMIN_EMAIL and ADMIN_PASSWORD, then restart or run `npm run db:seed`.";
    }
  }
  return report;
}

async function createAdmin(db: Database, email: string, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  // createMany + skipDuplicates: of two processes seeding at once, only one inserts the admin.
  const created = await db.prisma.adminUser.createMany({
    data: [{ email, passwordHash, role: "ADMIN", name: "Administrator" }],
    skipDuplicates: true,
  });
  return created.count > 0;
}
