import type { Database } from "./db/client.ts";

const DAY_MS = 86_400_000;

export interface HousekeepingReport {
  sessionsPurged: number;
  cacheEntriesPurged: number;
}

/**
 * Deletes rows that have outlived their purpose: console sessions a day after they expired or
 * were revoked (kept that long so "signed out elsewhere" can still be explained), and mirrored
 * topic-cache entries that expired and were not pinned.
 */
export async function purgeExpired(db: Database, now = new Date()): Promise<HousekeepingReport> {
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const sessions = await db.prisma.adminSession.deleteMany({
    where: { OR: [{ expiresAt: { lt: dayAgo } }, { revokedAt: { lt: dayAgo } }] },
  });
  const cache = await db.prisma.topicCacheEntry.deleteMany({ where: { expiresAt: { lt: now }, pinnedShared: false } });
  return { sessionsPurged: sessions.count, cacheEntriesPurged: cache.count };
}
