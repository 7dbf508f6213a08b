/**
 * Console overview render time at scale: 1,000,000 generation rows and 365 days of rollups
 * (about 219,000 DailyUsage rows for 1,000 requesters) in a fresh PostgreSQL database, then
 * the overview and the first page of the generations log rendered by the real console server
 * (signed in, full server render). Target: overview p95 under 200 ms.
 */
import { PASSWORD, startConsoleHarness } from "../../tests/browser/harness.ts";

export async function run(): Promise<void> {
  const h = await startConsoleHarness({ prefix: "ab_bench" });
  const p = h.app.db.prisma;
  const REQUESTERS = Number(process.env.REQUESTERS ?? 1000);
  const t0 = Date.now();
  const tiers = await p.tier.findMany();
  const tenant = await p.tenant.create({
    data: { platform: "SLACK", externalId: "TBENCH", name: "Bench", defaultTierId: tiers[0]!.id },
  });
  await p.$executeRawUnsafe(`INSERT INTO "Requester" (id, "tenantId", platform, "externalId", "displayName", "updatedAt")
    SELECT 'r' || g, '${tenant.id}', 'SLACK', 'U' || g, 'User ' || g, now() FROM generate_series(1, ${REQUESTERS}) g`);
  // 365 days of rollups, each requester active on ~60% of days
  await p.$executeRawUnsafe(`INSERT INTO "DailyUsage" (day, "requesterId", "tenantId", platform, articles, "cacheHits", failures, "inputTokens", "outputTokens", "costUsd", "savedUsd", "latencyMsTotal", "latencyBuckets", "updatedAt")
    SELECT (current_date - d), 'r' || r, '${tenant.id}', 'SLACK', 1 + (r * d) % 5, (r + d) % 2, (r*d) % 7 / 6, 3000, 2000, 0.0012, 0.0003, 7000, ARRAY[0,0,1,2,1,0,0,0,0,0], now()
    FROM generate_series(0, 364) d, generate_series(1, ${REQUESTERS}) r WHERE (r * 7 + d * 13) % 10 < 6`);
  await p.$executeRawUnsafe(`INSERT INTO "DailyModelUsage" (day, model, operation, calls, "inputTokens", "outputTokens", "costUsd", "updatedAt")
    SELECT (current_date - d), m, 'CHAT', 1000, 3000000, 2000000, 1.5, now() FROM generate_series(0, 364) d, unnest(ARRAY['gpt-4o-mini','gpt-4o']) m`);
  // one million generation rows
  await p.$executeRawUnsafe(`INSERT INTO "Generation" (id, "requestKey", "tenantId", "requesterId", platform, status, request, topic, language, "targetWords", day, "createdAt", "costUsd")
    SELECT 'g' || g, 'k' || g, '${tenant.id}', 'r' || (1 + g % ${REQUESTERS}), 'SLACK', 'DELIVERED', '{}', 'Topic ' || g, 'en', 800, current_date - (g % 365), now() - (g || ' minutes')::interval, 0.001
    FROM generate_series(1, 1000000) g`);
  await p.$executeRawUnsafe(`ANALYZE`);
  const rows = await p.dailyUsage.count();
  console.log(
    `seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${rows} DailyUsage rows, 1,000,000 generations`,
  );
  const login = await fetch(`${h.url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: h.url },
    body: new URLSearchParams({ email: h.admin.email, password: PASSWORD }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
  const times: number[] = [];
  for (let i = 0; i < 60; i++) {
    const s = performance.now();
    const res = await fetch(`${h.url}/`, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(String(res.status));
    if (i >= 10) times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const q = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))]!.toFixed(0);
  console.log(
    `GET / (overview, full server render) over ${times.length} requests: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms`,
  );
  const t2: number[] = [];
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    const res = await fetch(`${h.url}/generations`, { headers: { cookie } });
    await res.text();
    t2.push(performance.now() - s);
  }
  t2.sort((a, b) => a - b);
  console.log(
    `GET /generations (first page of 1M): p50 ${t2[10]!.toFixed(0)} ms, p95 ${t2[19]!.toFixed(0)} ms`,
  );
  await h.close();
}
