import { type Database, type Platform, Prisma, type Tier } from "../db/client.ts";
import type { TenantLimits } from "../quota/caps.ts";
import { bumpCatalogVersion } from "./catalog-version.ts";
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

/**
 * Finds (or, the first time, creates) the tenant and requester behind a request, with the
 * tier that applies now. One query on the common path; the upserts run only for newcomers.
 */
export async function resolveRequester(db: Database, req: RequesterRef): Promise<ResolvedRequester> {
  // A newcomer's first messages can arrive together: Prisma's upsert (with include) is a read
  // then a write, so the slower ones hit the unique key (tenant first, then requester, so up to
  // two conflicts). The row exists by then; the next attempt reads it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await findOrCreate(db, req);
    } catch (error) {
      const conflict = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
      if (!conflict || attempt === 3) throw error;
    }
  }
}

export type RequesterRef = {
  platform: Platform;
  tenant: { externalId: string; name?: string };
  requester: { externalId: string; displayName?: string };
};

async function findOrCreate(db: Database, req: RequesterRef): Promise<ResolvedRequester> {
  const p = db.prisma;
  const found = await p.requester.findFirst({
    where: {
      platform: req.platform,
      externalId: req.requester.externalId,
      tenant: { platform: req.platform, externalId: req.tenant.externalId },
    },
    include: WITH_EFFECTIVE_TIER,
  });
  if (found) {
    return {
      requesterId: found.id,
      tenantId: found.tenantId,
      blocked: found.blocked,
      tier: effectiveTier(found),
      tenantLimits: tenantLimits(found.tenant),
    };
  }
  const defaultTier = await p.tier.findUniqueOrThrow({
    where: { name: DEFAULT_TIER_BY_PLATFORM[req.platform] },
  });
  const tenant = await p.tenant.upsert({
    where: { platform_externalId: { platform: req.platform, externalId: req.tenant.externalId } },
    create: {
      platform: req.platform,
      externalId: req.tenant.externalId,
      name: req.tenant.name ?? "",
      defaultTierId: defaultTier.id,
    },
    update: {},
    include: { defaultTier: true },
  });
  const requester = await p.requester.upsert({
    where: { tenantId_externalId: { tenantId: tenant.id, externalId: req.requester.externalId } },
    create: {
      tenantId: tenant.id,
      platform: req.platform,
      externalId: req.requester.externalId,
      displayName: req.requester.displayName ?? "",
    },
    update: {},
    include: { tier: true },
  });
  return {
    requesterId: requester.id,
    tenantId: tenant.id,
    blocked: requester.blocked,
    tier: effectiveTier({ tier: requester.tier, tenant }),
    tenantLimits: tenantLimits(tenant),
  };
}

function tenantLimits(t: Pick<TenantLimits, "id" | "dailyArticleLimit" | "monthlyBudgetUsd">): TenantLimits {
  return { id: t.id, dailyArticleLimit: t.dailyArticleLimit, monthlyBudgetUsd: t.monthlyBudgetUsd };
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
