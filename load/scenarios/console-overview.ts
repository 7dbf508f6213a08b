/**
 * Console overview render time at scale: 1,000,000 generation rows and 365 days of rollups
 * (about 219,000 DailyUsage rows for 1,000 requesters) in a fresh PostgreSQL database, then
 * the overview and the first page of the generations log rendered by the real console server
 * (signed in, full server render). Target: overview p95 under 200 ms, cost breakdown included
 * (this month by default, and 30- and 90-day ranges), in three workspaces and two models; the
 * Generations totals unfiltered, by workspace and by model, status and range.
 */
import type { Database } from "../../core/db/client.ts";
import { PASSWORD, startConsoleHarness } from "../../tests/browser/harness.ts";
import { sumTenantUsage } from "../../tests/helpers/rollups.ts";

export async function run(): Promise<void> {
  const h = await startConsoleHarness({ prefix: "ab_bench" });
  const tenant = await seedAtScale(h.app.db.prisma);
  const login = await fetch(`${h.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: h.url },
    body: new URLSearchParams({ email: h.admin.email, password: PASSWORD }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
  const measure = async (label: string, path: string, runs: number, warm: number) => {
    const times: number[] = [];
    for (let i = 0; i < runs + warm; i++) {
      const s = performance.now();
      const res = await fetch(h.url + path, { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      if (i >= warm) times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const q = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))]!.toFixed(0);
    console.log(
      `GET ${label} over ${times.length} requests: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`,
    );
  };
  const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  await measure("/ (overview with this month's cost breakdown, full server render)", "/", 50, 10);
  await measure("/ with a 30-day cost breakdown", `/?from=${day(29)}&to=${day(0)}`, 30, 5);
  await measure("/ with a 90-day cost breakdown", `/?from=${day(89)}&to=${day(0)}`, 30, 5);
  await measure("/generations (first page of 1M, with totals)", "/generations", 20, 2);
  await measure(
    "/generations?model=&status=&from=&to= (totals over 30 days of one model)",
    `/generations?model=gpt-4o&status=DELIVERED&from=${day(29)}&to=${day(0)}`,
    20,
    2,
  );
  await measure("/generations?sort=latency-desc (slowest first)", "/generations?sort=latency-desc", 20, 2);
  await measure(
    "/generations?workspace= (one of three, by cost)",
    `/generations?workspace=${tenant.id}&sort=cost-desc`,
    10,
    1,
  );
  await measureTotalsWrite(h.app.db.prisma, tenant.id);
  await h.close();
}

/**
 * What the GenerationTotals trigger adds to the bots' writes: 300 generations each inserted,
 * started and delivered (three statements, as the pipeline does), with the triggers on and off.
 */
async function measureTotalsWrite(p: Database["prisma"], tenantId: string) {
  const lifecycle = async (tag: string) => {
    const s = performance.now();
    for (let i = 0; i < 300; i++) {
      const id = `w${tag}${i}`;
      await p.$executeRawUnsafe(`INSERT INTO "Generation" (id, "requestKey", "tenantId", "requesterId", platform, request, topic, language, "targetWords", day)
        VALUES ('${id}', '${id}', '${tenantId}', 'r3', 'SLACK', '{}', 'Write cost', 'en', 800, current_date)`);
      await p.$executeRawUnsafe(
        `UPDATE "Generation" SET status = 'RUNNING', "startedAt" = now() WHERE id = '${id}'`,
      );
      await p.$executeRawUnsafe(
        `UPDATE "Generation" SET status = 'DELIVERED', model = 'gpt-4o', "costUsd" = 0.002, "inputTokens" = 900, "outputTokens" = 1200 WHERE id = '${id}'`,
      );
    }
    return (performance.now() - s) / 300;
  };
  const on = await lifecycle("on");
  await p.$executeRawUnsafe(`ALTER TABLE "Generation" DISABLE TRIGGER USER`);
  const off = await lifecycle("off");
  await p.$executeRawUnsafe(`ALTER TABLE "Generation" ENABLE TRIGGER USER`);
  console.log(
    `a generation's three writes (insert, start, deliver), 300 in a row: ${on.toFixed(2)} ms with the totals triggers, ${off.toFixed(2)} ms without`,
  );
}

/**
 * Seeds the benchmark's data into a migrated, seeded database: three workspaces, REQUESTERS
 * requesters (default 1,000), 365 days of rollups and 1,000,000 generations. Returns the first
 * workspace. Exported so the slow queries can be examined (EXPLAIN ANALYZE) on the same data.
 */
export async function seedAtScale(p: Database["prisma"]) {
  const REQUESTERS = Number(process.env.REQUESTERS ?? 1000);
  const t0 = Date.now();
  const tiers = await p.tier.findMany();
  const tenant = await p.tenant.create({
    data: { platform: "SLACK", externalId: "TBENCH", name: "Bench", defaultTierId: tiers[0]!.id },
  });
  // Two more workspaces, so the breakdown by workspace and tier has rows to rank.
  const others = await Promise.all(
    [1, 2].map((i) =>
      p.tenant.create({
        data: {
          platform: "SLACK",
          externalId: `TBENCH${i}`,
          name: `Bench ${i}`,
          defaultTierId: tiers[i % tiers.length]!.id,
        },
      }),
    ),
  );
  const tenantOf = (r: string) =>
    `(ARRAY['${tenant.id}','${others[0]!.id}','${others[1]!.id}'])[1 + ${r} % 3]`;
  await p.$executeRawUnsafe(`INSERT INTO "Requester" (id, "tenantId", platform, "externalId", "displayName", "updatedAt")
    SELECT 'r' || g, ${tenantOf("g")}, 'SLACK', 'U' || g, 'User ' || g, now() FROM generate_series(1, ${REQUESTERS}) g`);
  // 365 days of rollups, each requester active on ~60% of days
  await p.$executeRawUnsafe(`INSERT INTO "DailyUsage" (day, "requesterId", "tenantId", platform, articles, "cacheHits", failures, "inputTokens", "outputTokens", "costUsd", "savedUsd", "latencyMsTotal", "latencyBuckets", "updatedAt")
    SELECT (current_date - d), 'r' || r, ${tenantOf("r")}, 'SLACK', 1 + (r * d) % 5, (r + d) % 2, (r*d) % 7 / 6, 3000, 2000, 0.0012, 0.0003, 7000, ARRAY[0,0,1,2,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0], now()
    FROM generate_series(0, 364) d, generate_series(1, ${REQUESTERS}) r WHERE (r * 7 + d * 13) % 10 < 6`);
  await sumTenantUsage(p); // what the writers add to each workspace's day as they go
  await p.$executeRawUnsafe(`INSERT INTO "DailyModelUsage" (day, model, operation, calls, "inputTokens", "outputTokens", "costUsd", "updatedAt")
    SELECT (current_date - d), m, 'CHAT', 1000, 3000000, 2000000, 1.5, now() FROM generate_series(0, 364) d, unnest(ARRAY['gpt-4o-mini','gpt-4o']) m`);
  // One million generation rows. The GenerationTotals trigger is off for the bulk insert and the
  // totals are then summed once, as the migration does for existing rows.
  await p.$executeRawUnsafe(`ALTER TABLE "Generation" DISABLE TRIGGER "generation_totals_insert_delete"`);
  await p.$executeRawUnsafe(`INSERT INTO "Generation" (id, "requestKey", "tenantId", "requesterId", platform, status, request, topic, language, "targetWords", day, "createdAt", "costUsd", model, "latencyMs")
    SELECT 'g' || g, 'k' || g, ${tenantOf(`(1 + g % ${REQUESTERS})`)}, 'r' || (1 + g % ${REQUESTERS}), 'SLACK', 'DELIVERED', '{}', 'Topic ' || g, 'en', 800, current_date - (g % 365), now() - (g || ' minutes')::interval, 0.001, (ARRAY['gpt-4o-mini','gpt-4o'])[1 + g % 2], 3000 + g % 40000
    FROM generate_series(1, 1000000) g`);
  await p.$executeRawUnsafe(`ALTER TABLE "Generation" ENABLE TRIGGER "generation_totals_insert_delete"`);
  await p.$executeRawUnsafe(`INSERT INTO "GenerationTotals" ("day", "tenantId", "platform", "model", "status", "cacheHit", "count", "inputTokens", "outputTokens", "costUsd")
    SELECT "day", "tenantId", "platform", COALESCE("model", ''), "status", "cacheHit", COUNT(*), SUM("inputTokens"), SUM("outputTokens"), SUM("costUsd")
    FROM "Generation" GROUP BY 1, 2, 3, 4, 5, 6`);
  await p.$executeRawUnsafe(`ANALYZE`);
  const rows = await p.dailyUsage.count();
  console.log(
    `seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${rows} DailyUsage rows, 1,000,000 generations`,
  );
  return tenant;
}
