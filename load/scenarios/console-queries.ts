/**
 * The console's heavy questions at 1,000,000 generations, each asked two ways on the same data,
 * interleaved so both see the same machine load: the query over the raw rows (what the console
 * did before decision 116) and the read it does now (GenerationTotals, DailyTenantUsage written
 * on write (decision 125), the sort indexes). Prints p50/p95 of 15 runs each.
 */
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { seed } from "../../prisma/seed.ts";
import { createPostgresDatabase } from "../../tests/helpers/services.ts";
import { seedAtScale } from "./console-overview.ts";

export async function run(): Promise<void> {
  const database = await createPostgresDatabase("ab_bench_queries");
  const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", DATABASE_URL: database.url });
  const db = await openDatabase(config);
  try {
    await db.migrate();
    await seed(db, config);
    const tenant = await seedAtScale(db.prisma);
    const p = db.prisma;
    const month = { from: new Date(Date.now() - 29 * 86_400_000), to: new Date() };
    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      [
        "totals over all 1M",
        () => p.generation.aggregate({ _count: { _all: true }, _sum: { costUsd: true, inputTokens: true } }),
        () => p.generationTotals.aggregate({ _sum: { count: true, costUsd: true, inputTokens: true } }),
      ],
      [
        "totals for one workspace",
        () =>
          p.generation.aggregate({
            where: { tenantId: tenant.id },
            _count: { _all: true },
            _sum: { costUsd: true },
          }),
        () =>
          p.generationTotals.aggregate({
            where: { tenantId: tenant.id },
            _sum: { count: true, costUsd: true },
          }),
      ],
      [
        "totals for one model, delivered, 30 days",
        () =>
          p.generation.aggregate({
            where: { model: "gpt-4o", status: "DELIVERED", day: { gte: month.from } },
            _count: { _all: true },
            _sum: { costUsd: true },
          }),
        () =>
          p.generationTotals.aggregate({
            where: { model: "gpt-4o", status: "DELIVERED", day: { gte: month.from } },
            _sum: { count: true, costUsd: true },
          }),
      ],
      [
        "first page, slowest first",
        () =>
          p.generation.findMany({
            orderBy: [{ latencyMs: { sort: "desc", nulls: "last" } }, { id: "desc" }],
            take: 51,
            select: { id: true },
          }),
        () =>
          p.generation.findMany({
            where: { latencyMs: { not: null } },
            orderBy: [{ latencyMs: "desc" }, { id: "desc" }],
            take: 51,
            select: { id: true },
          }),
      ],
      [
        "30 days of latency buckets and totals (a month-end Overview)",
        () =>
          Promise.all([
            p.$queryRaw`SELECT t.i, SUM(t.b) FROM "DailyUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS t(b, i)
              WHERE d."day" >= ${month.from}::date GROUP BY t.i`,
            p.$queryRaw`SELECT SUM("articles"), SUM("costUsd"), SUM("failures") FROM "DailyUsage" WHERE "day" >= ${month.from}::date`,
          ]),
        () =>
          Promise.all([
            p.$queryRaw`SELECT d."day", t.i, SUM(t.b) FROM "DailyTenantUsage" d, unnest(d."latencyBuckets") WITH ORDINALITY AS t(b, i)
              WHERE d."day" >= ${month.from}::date GROUP BY 1, 2`,
            p.$queryRaw`SELECT SUM("articles"), SUM("costUsd"), SUM("failures") FROM "DailyTenantUsage" WHERE "day" >= ${month.from}::date`,
          ]),
      ],
    ];
    const time = async (fn: () => Promise<unknown>) => {
      const s = performance.now();
      await fn();
      return performance.now() - s;
    };
    const q = (xs: number[], at: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(at * xs.length))]!.toFixed(0);
    for (const [label, before, after] of cases) {
      await before();
      await after();
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 15; i++) {
        a.push(await time(before));
        b.push(await time(after));
      }
      console.log(
        `${label}: raw rows p50 ${q(a, 0.5)} ms, p95 ${q(a, 0.95)} ms; now p50 ${q(b, 0.5)} ms, p95 ${q(b, 0.95)} ms`,
      );
    }
  } finally {
    await db.close();
    await database.drop();
  }
}
