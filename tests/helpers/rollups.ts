import type { Database } from "../../core/db/client.ts";

/**
 * For DailyUsage rows a test or a benchmark wrote straight into the table: DailyTenantUsage set
 * to what the writers (core/records/generations.ts addDailyUsage) would have added up for them,
 * so the caps and the console read the same figures as after real deliveries.
 */
export async function sumTenantUsage(p: Database["prisma"]): Promise<void> {
  await p.$executeRaw`DELETE FROM "DailyTenantUsage"`;
  await p.$executeRaw`
    INSERT INTO "DailyTenantUsage" ("day", "tenantId", "articles", "cacheHits", "failures", "refusals",
      "costUsd", "savedUsd", "latencyBuckets", "updatedAt")
    SELECT s."day", s."tenantId", s.articles, s."cacheHits", s.failures, s.refusals, s."costUsd", s."savedUsd",
      COALESCE((SELECT array_agg(b.n::int ORDER BY b.i) FROM (
          SELECT x.i, SUM(x.n) AS n
          FROM "DailyUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS x(n, i)
          WHERE d."day" = s."day" AND d."tenantId" = s."tenantId" GROUP BY x.i) b), ARRAY[]::int[]),
      now()
    FROM (
      SELECT "day", "tenantId", SUM("articles") AS articles, SUM("cacheHits") AS "cacheHits",
        SUM("failures") AS failures, SUM("refusals") AS refusals, SUM("costUsd") AS "costUsd",
        SUM("savedUsd") AS "savedUsd"
      FROM "DailyUsage" GROUP BY "day", "tenantId") s`;
}
