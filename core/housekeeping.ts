import type { Database } from "./db/client.ts";
import { recordFailed } from "./records/generations.ts";

const DAY_MS = 86_400_000;

export interface HousekeepingReport {
  sessionsPurged: number;
  cacheEntriesPurged: number;
  orphansFailed: number;
}

/** A generation still QUEUED this long after it was created never got its job (see accept). */
const ORPHAN_AFTER_MS = 6 * 3_600_000;

/**
 * Deletes rows that have outlived their purpose: console sessions a day after they expired or
 * were revoked (kept that long so "signed out elsewhere" can still be explained), and mirrored
 * topic-cache entries that expired and were not pinned; and it fails generations left QUEUED
 * without a job (the queue and the database both failed while one was accepted), so they stop
 * showing as pending in the console.
 */
export async function purgeExpired(db: Database, now = new Date()): Promise<HousekeepingReport> {
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const sessions = await db.prisma.adminSession.deleteMany({
    where: { OR: [{ expiresAt: { lt: dayAgo } }, { revokedAt: { lt: dayAgo } }] },
  });
  const cache = await db.prisma.topicCacheEntry.deleteMany({
    where: { expiresAt: { lt: now }, pinnedShared: false },
  });
  const orphans = await db.prisma.generation.findMany({
    where: {
      status: "QUEUED",
      startedAt: null,
      createdAt: { lt: new Date(now.getTime() - ORPHAN_AFTER_MS) },
    },
    select: { id: true, createdAt: true },
    take: 500,
  });
  let orphansFailed = 0;
  for (const o of orphans) {
    const failed = await recordFailed(db, o.id, {
      errorCode: "abandoned",
      error: "never picked up by a worker",
      usage: [],
      latencyMs: now.getTime() - o.createdAt.getTime(),
    });
    if (failed) orphansFailed++;
  }
  return { sessionsPurged: sessions.count, cacheEntriesPurged: cache.count, orphansFailed };
}
