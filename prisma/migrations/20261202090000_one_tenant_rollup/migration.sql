-- One per-workspace daily rollup, written on write (decision 125): DailyTenantUsage gains what
-- the console read from DailyTenantTotals, is re-summed from DailyUsage (exact, so the caps and
-- the Overview read the same numbers), and DailyTenantTotals goes.
ALTER TABLE "DailyTenantUsage" ADD COLUMN "cacheHits" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DailyTenantUsage" ADD COLUMN "failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DailyTenantUsage" ADD COLUMN "refusals" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DailyTenantUsage" ADD COLUMN "savedUsd" DECIMAL(18,9) NOT NULL DEFAULT 0;
ALTER TABLE "DailyTenantUsage" ADD COLUMN "latencyBuckets" INTEGER[] DEFAULT ARRAY[]::INTEGER[];

-- The writers only ever added to it, in the same transaction as DailyUsage: the sums below are
-- what it holds, the new columns included. Days a workspace only had refusals get their row now.
INSERT INTO "DailyTenantUsage" AS t ("day", "tenantId", "articles", "cacheHits", "failures", "refusals",
  "costUsd", "savedUsd", "latencyBuckets", "updatedAt")
SELECT s."day", s."tenantId", s.articles, s."cacheHits", s.failures, s.refusals, s."costUsd", s."savedUsd",
  COALESCE((SELECT array_agg(b.n::int ORDER BY b.i) FROM (
      SELECT x.i, SUM(x.n) AS n
      FROM "DailyUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS x(n, i)
      WHERE d."day" = s."day" AND d."tenantId" = s."tenantId" GROUP BY x.i) b), ARRAY[]::int[]),
  now()
FROM (
  SELECT "day", "tenantId", SUM("articles") AS articles, SUM("cacheHits") AS "cacheHits",
    SUM("failures") AS failures, SUM("refusals") AS refusals, SUM("costUsd") AS "costUsd", SUM("savedUsd") AS "savedUsd"
  FROM "DailyUsage" GROUP BY "day", "tenantId") s
ON CONFLICT ("tenantId", "day") DO UPDATE SET
  "articles" = EXCLUDED."articles", "cacheHits" = EXCLUDED."cacheHits", "failures" = EXCLUDED."failures",
  "refusals" = EXCLUDED."refusals", "costUsd" = EXCLUDED."costUsd", "savedUsd" = EXCLUDED."savedUsd",
  "latencyBuckets" = EXCLUDED."latencyBuckets", "updatedAt" = now();

-- The Overview's range reads (all workspaces, a month of days) go by day first.
CREATE INDEX "DailyTenantUsage_day_idx" ON "DailyTenantUsage"("day");

DROP TABLE "DailyTenantTotals";
-- Its staleness probe was the only reader of this index; the bots no longer pay for it.
DROP INDEX "DailyUsage_day_updatedAt_idx";
