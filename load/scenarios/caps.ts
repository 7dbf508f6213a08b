/**
 * What the workspace and overall caps add to a reservation (decision 110): Quotas.reserve +
 * release against PostgreSQL and Redis with a month of rollups (10,000 requesters in three
 * workspaces, ~60 % active a day: ~180,000 DailyUsage rows), one at a time, without caps,
 * with caps configured, and with caps and 20 at once. Prints p50/p95 per reservation.
 */
import { randomBytes } from "node:crypto";
import { type CapDefaults, NO_CAPS } from "../../core/quota/caps.ts";
import { Quotas, type TierLimits } from "../../core/quota/quotas.ts";
import { connectRedis } from "../../core/redis.ts";
import { sumTenantUsage } from "../../tests/helpers/rollups.ts";
import { openTestDatabase, REDIS_URL } from "../../tests/helpers/services.ts";

const TZ = "Asia/Bangkok";

export async function run(): Promise<void> {
  const opened = await openTestDatabase("postgres");
  const db = opened.db;
  await db.migrate();
  const redis = connectRedis(REDIS_URL);
  await redis.connect();
  const p = db.prisma;
  const tier = await p.tier.create({ data: { name: "Free", burstPerMinute: 1_000_000, maxWords: 800 } });
  const tenants = await Promise.all(
    [0, 1, 2].map((i) =>
      p.tenant.create({ data: { platform: "LINE", externalId: `C${i}`, defaultTierId: tier.id } }),
    ),
  );
  const ids = `ARRAY['${tenants.map((t) => t.id).join("','")}']`;
  await p.$executeRawUnsafe(`INSERT INTO "Requester" (id, "tenantId", platform, "externalId", "updatedAt")
    SELECT 'r' || g, (${ids})[1 + g % 3], 'LINE', 'U' || g, now() FROM generate_series(1, 10000) g`);
  await p.$executeRawUnsafe(`INSERT INTO "DailyUsage" (day, "requesterId", "tenantId", platform, articles, "costUsd", "latencyBuckets", "updatedAt")
    SELECT (date_trunc('month', now() AT TIME ZONE '${TZ}')::date + d), 'r' || r, (${ids})[1 + r % 3], 'LINE', 1, 0.0012, '{}', now()
    FROM generate_series(0, 27) d, generate_series(1, 10000) r WHERE (r * 7 + d * 13) % 10 < 6
    ON CONFLICT DO NOTHING`);
  await sumTenantUsage(p);
  await p.$executeRawUnsafe(`INSERT INTO "DailyModelUsage" (day, model, operation, calls, "costUsd", "updatedAt")
    SELECT (date_trunc('month', now() AT TIME ZONE '${TZ}')::date + d), m, 'CHAT', 1000, 1.5, now()
    FROM generate_series(0, 27) d, unnest(ARRAY['gpt-4o-mini','gpt-4o']) m`);
  await p.$executeRawUnsafe("ANALYZE");
  console.log(`seeded ${await p.dailyUsage.count()} DailyUsage rows`);

  const limits: TierLimits = {
    name: "Free",
    dailyArticleLimit: 1_000_000,
    burstPerMinute: 1_000_000,
    monthlyBudgetUsd: 1_000_000,
  };
  const caps: CapDefaults = {
    tenantDailyArticles: 1_000_000,
    tenantMonthlyBudgetUsd: 1_000_000,
    overallDailySpendUsd: 1_000_000,
    overallMonthlyBudgetUsd: 1_000_000,
  };
  const measure = async (label: string, c: CapDefaults | undefined, parallel: number) => {
    const q = new Quotas({
      db,
      redis,
      timeZone: TZ,
      keyPrefix: `ab:bench:${randomBytes(3).toString("hex")}`,
      caps: c,
    });
    const times: number[] = [];
    const one = async (i: number) => {
      const t = tenants[i % 3]!;
      const start = performance.now();
      const r = await q.reserve(`r${1 + (i % 10000)}`, limits, 0.002, new Date(), {
        tenant: { id: t.id, dailyArticleLimit: null, monthlyBudgetUsd: null },
      });
      if (r.ok) await q.release(r.reservation);
      times.push(performance.now() - start);
    };
    for (let i = 0; i < 50; i++) await one(i); // warm-up
    times.length = 0;
    for (let i = 0; i < 600; i += parallel)
      await Promise.all(Array.from({ length: parallel }, (_, k) => one(i + k)));
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
    console.log(`${label.padEnd(34)} p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  (${times.length} reservations)`);
  };
  await measure("no caps (NO_CAPS: settings read)", NO_CAPS, 1);
  await measure("no caps object at all", undefined, 1);
  await measure("all four caps", caps, 1);
  await measure("all four caps, 20 at once", caps, 20);
  redis.disconnect();
  await opened.cleanup();
}
