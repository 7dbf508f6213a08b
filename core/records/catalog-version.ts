import type { Prisma } from "../db/client.ts";

/** Audit entity types whose changes the catalog holds; a change to one bumps the version. */
export const CATALOG_ENTITIES: ReadonlySet<string> = new Set(["Tier", "ModelPrice", "Requester", "Tenant"]);

/** In the change's transaction, so the version and the change become visible together. */
export async function bumpCatalogVersion(tx: Pick<Prisma.TransactionClient, "$executeRaw">): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "CatalogVersion" ("id", "version", "changedAt") VALUES (1, 1, now())
    ON CONFLICT ("id") DO UPDATE SET "version" = "CatalogVersion"."version" + 1, "changedAt" = now()`;
}
