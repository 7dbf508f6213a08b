import type { AppContext } from "../../core/app.ts";
import { Prisma } from "../../core/db/client.ts";
import { LATENCY_BUCKETS_MS } from "../../core/records/generations.ts";
import { dayColumn } from "../../core/time.ts";
import { sumTenantUsage } from "../helpers/rollups.ts";

/**
 * A month of plausible activity written straight into the tables the console reads (workspaces,
 * requesters, generations with token usage, the daily rollups, cache entries), deterministic so
 * tests can assert on figures. Real articles come from the pipeline in the playground tests.
 */

export interface Activity {
  slackRequesters: string[];
  lineRequesters: string[];
  generations: string[];
  trickyTopic: string;
  cacheEntries: string[];
  totals: { todayArticles: number; monthCost: Prisma.Decimal };
}

export const TRICKY_TOPIC = `Retail, "AI" and =SUM(A1) ideas\nfor 2030`;

export async function seedActivity(app: AppContext, now = new Date()): Promise<Activity> {
  const p = app.db.prisma;
  const tz = app.config.quotaTimeZone;
  const tiers = Object.fromEntries((await p.tier.findMany()).map((t) => [t.name, t]));
  const slack = await p.tenant.create({
    data: { platform: "SLACK", externalId: "T0ACME", name: "Acme Consulting", defaultTierId: tiers.Pro!.id },
  });
  const line = await p.tenant.create({
    data: {
      platform: "LINE",
      externalId: "U-line-channel",
      name: "Client channel",
      defaultTierId: tiers.Free!.id,
    },
  });
  const slackNames = ["Somchai P.", "Alice Ng", "Ben Carter", "Chanya R."];
  const lineNames = ["Khun Nid", "Prasert", "Mali"];
  const slackRequesters = await Promise.all(
    slackNames.map((displayName, i) =>
      p.requester.create({
        data: {
          tenantId: slack.id,
          platform: "SLACK",
          externalId: `U0${i}SLACK`,
          displayName,
          lastSeenAt: now,
        },
      }),
    ),
  );
  const lineRequesters = await Promise.all(
    lineNames.map((displayName, i) =>
      p.requester.create({
        data: { tenantId: line.id, platform: "LINE", externalId: `U${i}line`, displayName, lastSeenAt: now },
      }),
    ),
  );

  let seedValue = 42;
  const rand = () => (seedValue = (seedValue * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const today = dayColumn(now, tz);
  const usage: Prisma.DailyUsageCreateManyInput[] = [];
  const models: Prisma.DailyModelUsageCreateManyInput[] = [];
  let todayArticles = 0;
  let monthCost = new Prisma.Decimal(0);
  const monthStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  for (let d = 29; d >= 0; d--) {
    const day = new Date(today.getTime() - d * 86_400_000);
    let dayTokens = 0;
    let dayCost = new Prisma.Decimal(0);
    for (const r of [...slackRequesters, ...lineRequesters]) {
      if (rand() < 0.35) continue;
      const articles = 1 + Math.floor(rand() * (r.platform === "SLACK" ? 6 : 3));
      const cacheHits = Math.floor(articles * rand() * 0.5);
      const failures = rand() < 0.15 ? 1 : 0;
      const cost = new Prisma.Decimal((articles - cacheHits) * 0.0012 + rand() * 0.001).toDecimalPlaces(9);
      const buckets = LATENCY_BUCKETS_MS.map(() => 0);
      for (let a = 0; a < articles; a++) buckets[2 + Math.floor(rand() * 4)]! += 1;
      usage.push({
        day,
        requesterId: r.id,
        tenantId: r.tenantId,
        platform: r.platform,
        articles,
        cacheHits,
        failures,
        refusals: rand() < 0.1 ? 1 : 0,
        inputTokens: articles * 1800,
        outputTokens: articles * 1100,
        costUsd: cost,
        savedUsd: new Prisma.Decimal(cacheHits * 0.0012),
        latencyMsTotal: BigInt(articles * 7000),
        latencyBuckets: buckets,
      });
      dayTokens += articles * 2900;
      dayCost = dayCost.add(cost);
      if (d === 0) todayArticles += articles;
      if (day >= monthStart) monthCost = monthCost.add(cost);
    }
    models.push(
      {
        day,
        model: "gpt-4o-mini",
        operation: "CHAT",
        calls: Math.round(dayTokens / 2900),
        inputTokens: BigInt(Math.round(dayTokens * 0.6)),
        outputTokens: BigInt(Math.round(dayTokens * 0.4)),
        costUsd: dayCost,
      },
      {
        day,
        model: "text-embedding-3-small",
        operation: "EMBEDDING",
        calls: Math.round(dayTokens / 1450),
        inputTokens: BigInt(Math.round(dayTokens / 40)),
        outputTokens: 0n,
        costUsd: new Prisma.Decimal("0.000020"),
      },
    );
  }
  await p.dailyUsage.createMany({ data: usage });
  await sumTenantUsage(p);
  await p.dailyModelUsage.createMany({ data: models });

  const topics = [
    TRICKY_TOPIC,
    "อนาคตของธนาคารดิจิทัล",
    "Smart factories and the digital twin",
    "AI in grocery retail",
    "Embedded finance for SMEs",
    "Hospital at home",
  ];
  const generations: string[] = [];
  for (let i = 0; i < 30; i++) {
    const r =
      i % 3 === 0 ? lineRequesters[i % lineRequesters.length]! : slackRequesters[i % slackRequesters.length]!;
    const topic = topics[i % topics.length]!;
    const status = i % 9 === 4 ? "FAILED" : "DELIVERED";
    const createdAt = new Date(now.getTime() - i * 3_600_000 * 7);
    const g = await p.generation.create({
      data: {
        requestKey: `fixture-${i}`,
        tenantId: r.tenantId,
        requesterId: r.id,
        platform: r.platform,
        status,
        topic,
        language: /[\u0E00-\u0E7F]/.test(topic) ? "th" : "en",
        targetWords: 800,
        words: status === "DELIVERED" ? 790 + i : null,
        model: "gpt-4o-mini",
        inputTokens: 1800,
        outputTokens: status === "DELIVERED" ? 1100 : 200,
        costUsd: new Prisma.Decimal(status === "DELIVERED" ? "0.00093" : "0.00039"),
        latencyMs: 6000 + i * 100,
        firstChunkMs: 900 + i * 10,
        cacheHit: i % 5 === 2,
        draft:
          status === "DELIVERED"
            ? `# ${topic.split("\n")[0]}\n\nA draft about ${topic.split("\n")[0]}.\n\n## What changes\n\n- First point\n- Second point`
            : null,
        errorCode: status === "FAILED" ? "timeout" : null,
        error: status === "FAILED" ? "The model did not answer in time." : null,
        request: {
          topic,
          industry: null,
          audience: "executives",
          targetWords: 800,
          keywords: [],
          language: "en",
          tone: "executive",
        },
        day: dayColumn(createdAt, tz),
        createdAt,
        startedAt: createdAt,
        finishedAt: new Date(createdAt.getTime() + 6000),
        tokenUsage: {
          create: [
            {
              operation: "EMBEDDING",
              model: "text-embedding-3-small",
              inputTokens: 12,
              costUsd: new Prisma.Decimal("0.00000024"),
            },
            {
              operation: "CHAT",
              model: "gpt-4o-mini",
              inputTokens: 1800,
              outputTokens: status === "DELIVERED" ? 1100 : 200,
              costUsd: new Prisma.Decimal(status === "DELIVERED" ? "0.00092976" : "0.00038976"),
            },
          ],
        },
      },
    });
    generations.push(g.id);
  }

  const cacheEntries: string[] = [];
  for (const [i, topic] of [
    "AI in grocery retail",
    "Smart factories and the digital twin",
    "Embedded finance for SMEs",
  ].entries()) {
    const e = await p.topicCacheEntry.create({
      data: {
        key: `t-${slack.id}:facet${i}:topic${i}`,
        scope: "TENANT",
        tenantId: slack.id,
        topic,
        normalizedTopic: topic.toLowerCase(),
        language: "en",
        lengthBucket: 900,
        title: topic,
        draft: `# ${topic}\n\nCached draft.`,
        words: 812,
        costUsd: new Prisma.Decimal("0.0009"),
        sizeBytes: 5200 + i,
        hits: 3 - i,
        lastHitAt: i < 2 ? now : null,
        expiresAt: new Date(now.getTime() + 6 * 86_400_000),
      },
    });
    cacheEntries.push(e.id);
  }
  return {
    slackRequesters: slackRequesters.map((r) => r.id),
    lineRequesters: lineRequesters.map((r) => r.id),
    generations,
    trickyTopic: TRICKY_TOPIC,
    cacheEntries,
    totals: { todayArticles, monthCost },
  };
}
