/**
 * The tier that applies to a requester: the one an admin set for them, else their workspace's
 * default. Read fresh on every request, so a tier change takes effect at once.
 */
export function effectiveTier<T>(requester: { tier: T | null; tenant: { defaultTier: T } }): T {
  return requester.tier ?? requester.tenant.defaultTier;
}

/** What a Prisma read includes to compute `effectiveTier` in one query. */
export const WITH_EFFECTIVE_TIER = { tier: true, tenant: { include: { defaultTier: true } } } as const;
