import type { AppContext } from "../../core/app.ts";

/**
 * DailyTenantTotals: DailyUsage summed per day, workspace and platform, so the Overview reads
 * about a hundred rows for a month instead of ~18,000 rows and their latency arrays. The console
 * keeps it: before reading a range it recomputes the days whose DailyUsage has a row newer than
 * what was folded in (an index-only scan of (day, updatedAt)). The bots' write path is unchanged
 * and never contends on a per-day row.
 */
export async function refreshTenantTotals(app: AppContext, from: Date, to: Date): Promise<void> {
  // One refresher at a time: two pages upserting the same days in different orders could deadlock.
  await app.db.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TOTALS_LOCK})`;
    await refresh(tx, from, to);
  });
}

const TOTALS_LOCK = 7_116_001;

async function refresh(tx: Pick<AppContext["db"]["prisma"], "$executeRaw">, from: Date, to: Date) {
  await tx.$executeRaw`
    WITH stale AS (
      SELECT u."day" FROM (
        SELECT "day", MAX("updatedAt") AS newest FROM "DailyUsage"
        WHERE "day" BETWEEN ${from}::date AND ${to}::date GROUP BY "day") u
      WHERE NOT EXISTS (
        SELECT 1 FROM "DailyTenantTotals" t WHERE t."day" = u."day" AND t."sourceUpdatedAt" >= u.newest)),
    buckets AS (
      SELECT d."day", d."tenantId", d."platform", b.i, SUM(b.n) AS n
      FROM "DailyUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS b(n, i)
      WHERE d."day" IN (SELECT "day" FROM stale) GROUP BY 1, 2, 3, 4),
    sums AS (
      SELECT "day", "tenantId", "platform", SUM("articles") AS articles, SUM("cacheHits") AS "cacheHits",
        SUM("failures") AS failures, SUM("refusals") AS refusals, SUM("costUsd") AS "costUsd",
        SUM("savedUsd") AS "savedUsd", MAX("updatedAt") AS newest
      FROM "DailyUsage" WHERE "day" IN (SELECT "day" FROM stale) GROUP BY 1, 2, 3)
    INSERT INTO "DailyTenantTotals" AS t ("day", "tenantId", "platform", "articles", "cacheHits", "failures",
      "refusals", "costUsd", "savedUsd", "latencyBuckets", "sourceUpdatedAt")
    SELECT s."day", s."tenantId", s."platform", s.articles, s."cacheHits", s.failures, s.refusals, s."costUsd",
      s."savedUsd",
      COALESCE((SELECT array_agg(b.n::int ORDER BY b.i) FROM buckets b
        WHERE b."day" = s."day" AND b."tenantId" = s."tenantId" AND b."platform" = s."platform"), ARRAY[]::int[]),
      -- The day's newest source row, so one stamp says the whole day is folded in.
      MAX(s.newest) OVER (PARTITION BY s."day")
    FROM sums s
    ON CONFLICT ("day", "tenantId", "platform") DO UPDATE SET
      "articles" = EXCLUDED."articles", "cacheHits" = EXCLUDED."cacheHits", "failures" = EXCLUDED."failures",
      "refusals" = EXCLUDED."refusals", "costUsd" = EXCLUDED."costUsd", "savedUsd" = EXCLUDED."savedUsd",
      "latencyBuckets" = EXCLUDED."latencyBuckets", "sourceUpdatedAt" = EXCLUDED."sourceUpdatedAt"`;
}
