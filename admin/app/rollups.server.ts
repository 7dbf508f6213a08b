import type { AppContext } from "../../core/app.ts";

/**
 * DailyTenantTotals: DailyUsage summed per day, workspace and platform, so the Overview reads
 * about a hundred rows for a month instead of ~18,000 rows and their latency arrays. The console
 * keeps it: before reading a range it recomputes the days whose DailyUsage has a row newer than
 * what was folded in (an index-only scan of (day, updatedAt)). The bots' write path is unchanged
 * and never contends on a per-day row.
 */
export async function refreshTenantTotals(app: AppContext, from: Date, to: Date): Promise<void> {
  if (!(await staleDays(app.db.prisma, from, to)).length) return;
  // One refresher at a time: two pages upserting the same days in different orders could
  // deadlock. The first fill of a long range takes a while, hence the generous timeout.
  await app.db.prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${TOTALS_LOCK})`;
      await refresh(tx, from, to);
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

const TOTALS_LOCK = 7_116_001;

type Tx = Pick<AppContext["db"]["prisma"], "$executeRaw" | "$queryRaw">;

/** Days with a DailyUsage row newer than their totals: one probe of (day, updatedAt) per day. */
function staleDays(tx: Tx, from: Date, to: Date) {
  return tx.$queryRaw<Array<{ day: string }>>`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS day
    FROM generate_series(${from}::date, ${to}::date, interval '1 day') AS d(day)
    CROSS JOIN LATERAL (SELECT MAX(u."updatedAt") AS newest FROM "DailyUsage" u WHERE u."day" = d.day::date) m
    WHERE m.newest IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM "DailyTenantTotals" t WHERE t."day" = d.day::date AND t."sourceUpdatedAt" >= m.newest)`;
}

async function refresh(tx: Tx, from: Date, to: Date) {
  const stale = await staleDays(tx, from, to);
  if (!stale.length) return;
  const days = stale.map((s) => s.day);
  await tx.$executeRaw`
    WITH buckets AS (
      SELECT d."day", d."tenantId", d."platform", b.i, SUM(b.n) AS n
      FROM "DailyUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS b(n, i)
      WHERE d."day" = ANY(${days}::date[]) GROUP BY 1, 2, 3, 4),
    sums AS (
      SELECT "day", "tenantId", "platform", SUM("articles") AS articles, SUM("cacheHits") AS "cacheHits",
        SUM("failures") AS failures, SUM("refusals") AS refusals, SUM("costUsd") AS "costUsd",
        SUM("savedUsd") AS "savedUsd", MAX("updatedAt") AS newest
      FROM "DailyUsage" WHERE "day" = ANY(${days}::date[]) GROUP BY 1, 2, 3)
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
