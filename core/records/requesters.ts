import { z } from "zod";
import type { Database, Platform, Tier } from "../db/client.ts";
import type { TenantLimits } from "../quota/caps.ts";
import { bumpCatalogVersion } from "./catalog-version.ts";
import { newId } from "./generations.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "./tiers.ts";

/** New workspaces start on these tiers: staff in Slack on Pro, LINE clients on Free. */
export const DEFAULT_TIER_BY_PLATFORM: Record<Platform, string> = {
  SLACK: "Pro",
  LINE: "Free",
  CONSOLE: "Enterprise",
};

export interface ResolvedRequester {
  requesterId: string;
  tenantId: string;
  blocked: boolean;
  /** The requester's own tier if an admin set one, else the tenant's default (as of the catalog version). */
  tier: Tier;
  /** The workspace's own caps (core/quota/caps.ts), read with it. */
  tenantLimits: TenantLimits;
}

/** The tier with this id (the catalog keeps them per catalog version; without it, a read). */
export type TierById = (id: string) => Promise<Tier>;

const readTier =
  (db: Database): TierById =>
  (id) =>
    db.prisma.tier.findUniqueOrThrow({ where: { id } });

/**
 * Finds (or, the first time, creates) the tenant and requester behind a request, with the
 * tier that applies now: one statement, for a newcomer as for someone known (decision 140).
 */
export async function resolveRequester(
  db: Database,
  req: RequesterRef,
  tierById: TierById = readTier(db),
): Promise<ResolvedRequester> {
  // The statement inserts what is missing and reads what exists. A row another request
  // inserted at the same moment, committed after this statement began, is neither inserted
  // (the unique key says it exists) nor visible: no row comes back, and the next attempt reads it.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const row = await findOrCreate(db, req);
    if (row) {
      return {
        requesterId: row.requesterId,
        tenantId: row.tenantId,
        blocked: row.blocked,
        tier: await tierById(row.tierId),
        tenantLimits: {
          id: row.tenantId,
          dailyArticleLimit: row.tenantDailyArticleLimit,
          monthlyBudgetUsd: row.tenantMonthlyBudgetUsd,
        },
      };
    }
  }
  throw new Error(
    `could not resolve requester ${req.platform}:${req.tenant.externalId}:${req.requester.externalId} (is the ${DEFAULT_TIER_BY_PLATFORM[req.platform]} tier seeded?)`,
  );
}

export type RequesterRef = {
  platform: Platform;
  tenant: { externalId: string; name?: string };
  requester: { externalId: string; displayName?: string };
};

const ResolvedRow = z.object({
  requesterId: z.string(),
  tenantId: z.string(),
  blocked: z.boolean(),
  /** The requester's own tier, else the tenant's default. */
  tierId: z.string(),
  tenantDailyArticleLimit: z.number().int().nullable(),
  tenantMonthlyBudgetUsd: z.string().nullable(),
});

/**
 * The tenant (created on the platform's default tier) and the requester, inserted when missing
 * and read otherwise, in one round trip. A newcomer used to cost a read, the default tier's
 * read and two upserts (each a transaction of four statements under Prisma).
 */
async function findOrCreate(db: Database, req: RequesterRef): Promise<z.infer<typeof ResolvedRow> | null> {
  const platform = req.platform;
  const rows = await db.prisma.$queryRaw<unknown[]>`
    WITH tier AS (
      SELECT "id" FROM "Tier" WHERE "name" = ${DEFAULT_TIER_BY_PLATFORM[platform]}
    ), t_new AS (
      INSERT INTO "Tenant" ("id", "platform", "externalId", "name", "defaultTierId", "updatedAt")
      SELECT ${newId()}, ${platform}::"Platform", ${req.tenant.externalId}, ${req.tenant.name ?? ""}, "id", now()
      FROM tier
      ON CONFLICT ("platform", "externalId") DO NOTHING
      RETURNING "id", "defaultTierId", "dailyArticleLimit", "monthlyBudgetUsd"
    ), t AS (
      SELECT * FROM t_new
      UNION ALL
      SELECT "id", "defaultTierId", "dailyArticleLimit", "monthlyBudgetUsd" FROM "Tenant"
      WHERE "platform" = ${platform}::"Platform" AND "externalId" = ${req.tenant.externalId}
    ), r_new AS (
      INSERT INTO "Requester" ("id", "tenantId", "platform", "externalId", "displayName", "updatedAt")
      SELECT ${newId()}, "id", ${platform}::"Platform", ${req.requester.externalId},
        ${req.requester.displayName ?? ""}, now()
      FROM t
      ON CONFLICT ("tenantId", "externalId") DO NOTHING
      RETURNING "id", "tenantId", "blocked", "tierId"
    ), r AS (
      SELECT * FROM r_new
      UNION ALL
      SELECT "id", "tenantId", "blocked", "tierId" FROM "Requester"
      WHERE "tenantId" = (SELECT "id" FROM t) AND "externalId" = ${req.requester.externalId}
    )
    SELECT r."id" AS "requesterId", r."tenantId", r."blocked",
      COALESCE(r."tierId", t."defaultTierId") AS "tierId",
      t."dailyArticleLimit" AS "tenantDailyArticleLimit",
      t."monthlyBudgetUsd"::text AS "tenantMonthlyBudgetUsd"
    FROM r JOIN t ON t."id" = r."tenantId"`;
  return rows.length ? ResolvedRow.parse(rows[0]) : null;
}

/**
 * Puts a requester on a tier of its own (the console playground asks "as a Pro user"), creating
 * the tenant and requester first if they are new. Same resolution as a chat request, so the
 * playground's rows look exactly like a platform's.
 */
export async function assignTier(
  db: Database,
  req: RequesterRef,
  tierId: string,
): Promise<ResolvedRequester> {
  const who = await resolveRequester(db, req);
  // A tier change: the catalog version moves with it, so cached copies of this requester reload.
  const requester = await db.prisma.$transaction(async (tx) => {
    const updated = await tx.requester.update({
      where: { id: who.requesterId },
      data: { tierId, ...(req.requester.displayName ? { displayName: req.requester.displayName } : {}) },
      include: WITH_EFFECTIVE_TIER,
    });
    await bumpCatalogVersion(tx);
    return updated;
  });
  return { ...who, tier: effectiveTier(requester) };
}
