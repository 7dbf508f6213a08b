import type { Database, Platform, Tier } from "../db/client.ts";
import { DEFAULT_TIER_BY_PLATFORM } from "./requesters.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "./tiers.ts";

/**
 * What a platform needs to know about a person before it words anything for them — their
 * plan's limits and the workspace's upgrade line — and the one write that keeps their name
 * current. Read-only lookups create nothing: a stranger gets the platform's default tier.
 */

export interface PersonRef {
  platform: Platform;
  tenantExternalId: string;
  requesterExternalId: string;
}

export interface Plan {
  tier: Pick<Tier, "name" | "maxWords" | "dailyArticleLimit">;
  /** What the workspace's owner tells clients about bigger plans; empty when none is set. */
  upgradeNote: string;
}

/** The tier that applies to this person now and their workspace's upgrade line (one query when known). */
export async function planOf(db: Database, ref: PersonRef): Promise<Plan> {
  const found = await db.prisma.requester.findFirst({
    where: {
      platform: ref.platform,
      externalId: ref.requesterExternalId,
      tenant: { platform: ref.platform, externalId: ref.tenantExternalId },
    },
    include: WITH_EFFECTIVE_TIER,
  });
  if (found) return { tier: effectiveTier(found), upgradeNote: found.tenant.upgradeNote };
  const tenant = await db.prisma.tenant.findUnique({
    where: { platform_externalId: { platform: ref.platform, externalId: ref.tenantExternalId } },
    include: { defaultTier: true },
  });
  if (tenant) return { tier: tenant.defaultTier, upgradeNote: tenant.upgradeNote };
  const tier = await db.prisma.tier.findUniqueOrThrow({
    where: { name: DEFAULT_TIER_BY_PLATFORM[ref.platform] },
  });
  return { tier, upgradeNote: "" };
}

/**
 * A fresh display name from the platform (fetched when the cached one went stale): written
 * only where it differs, so a person first seen without a name gets one, and a renamed person
 * is shown by their new name. A person not yet recorded is left to the request that creates them.
 */
export async function recordDisplayName(db: Database, ref: PersonRef, displayName: string): Promise<void> {
  if (!displayName) return;
  await db.prisma.requester.updateMany({
    where: {
      platform: ref.platform,
      externalId: ref.requesterExternalId,
      tenant: { platform: ref.platform, externalId: ref.tenantExternalId },
      displayName: { not: displayName },
    },
    data: { displayName },
  });
}
