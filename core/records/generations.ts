import { randomBytes } from "node:crypto";
import { type Database, type Platform, Prisma } from "../db/client.ts";
import type { ArticleRequest, Source } from "../domain.ts";
import {
  type PricedUse,
  type PriceSource,
  priceUsage,
  type TokenUse,
  totalCost,
  type UsageTotal,
} from "./cost.ts";

/**
 * The life of a Generation row and the rollups that follow it. Every final write is
 * conditional on the row not being final yet, so a retried job can never count an article,
 * a failure or a cost twice.
 */

/**
 * Upper bounds (ms) of the latency buckets kept per requester per day, for p50/p95 without raw
 * rows. Fine enough that a percentile read from them is a number worth showing (30 → 60 s was
 * one bucket). Every earlier bound is still here, so migration 20261201140000 moved old counts
 * to the bucket with the same upper bound; add bounds only the same way.
 */
export const LATENCY_BUCKETS_MS = [
  1_000,
  2_000,
  3_000,
  4_000,
  5_000,
  6_000,
  8_000,
  10_000,
  12_000,
  15_000,
  20_000,
  25_000,
  30_000,
  35_000,
  40_000,
  45_000,
  50_000,
  60_000,
  75_000,
  90_000,
  120_000,
  Infinity,
];

export function latencyBucket(ms: number): number {
  return LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
}

export interface NewGeneration {
  requestKey: string;
  tenantId: string;
  requesterId: string;
  platform: Platform;
  request: ArticleRequest;
  day: Date;
  /** A new draft in this conversation starts with this generation as its first version. */
  conversationKey?: string;
  /** A revision: the draft it belongs to, the version it revises, what the person asked. */
  revision?: { draftId: string; revisesId: string; instruction: string };
  /** The requester's tier now, kept as "the tier at the time" (a later tier change keeps it). */
  tierName?: string;
  /** The message as the person typed it, for a text request. */
  rawText?: string | null;
}

/**
 * Creates the row (and, for a new draft, the Draft it is the first version of), or finds the one
 * an earlier delivery of the same event created. One statement: the Draft is inserted only when
 * the generation is, and both land together, so a duplicate leaves nothing behind.
 */
export async function createGeneration(
  db: Database,
  g: NewGeneration,
): Promise<{ id: string; draftId: string | null; duplicate: boolean }> {
  const id = newId();
  const newDraftId = g.conversationKey && !g.revision ? newId() : null;
  const draftId = g.revision?.draftId ?? newDraftId;
  const request = JSON.stringify(g.request);
  const rows = await db.prisma.$queryRaw<{ id: string; draftId: string | null; created: boolean }[]>`
    WITH g AS (
      INSERT INTO "Generation" ("id", "requestKey", "tenantId", "requesterId", "platform", "request", "topic",
        "industry", "language", "targetWords", "day", "draftId", "revisesId", "instruction", "tierName", "rawText")
      VALUES (${id}, ${g.requestKey}, ${g.tenantId}, ${g.requesterId}, ${g.platform}::"Platform", ${request}::jsonb,
        ${g.request.topic}, ${g.request.industry ?? null}, ${g.request.language}, ${g.request.targetWords},
        ${g.day}::date, ${draftId}, ${g.revision?.revisesId ?? null}, ${g.revision?.instruction ?? null},
        ${g.tierName ?? null}, ${g.rawText?.slice(0, 10_000) ?? null})
      ON CONFLICT ("requestKey") DO NOTHING
      RETURNING "id", "draftId"
    ), d AS (
      INSERT INTO "Draft" ("id", "tenantId", "requesterId", "platform", "conversationKey", "request", "updatedAt")
      SELECT ${newDraftId}, ${g.tenantId}, ${g.requesterId}, ${g.platform}::"Platform", ${g.conversationKey ?? null},
        ${request}::jsonb, now()
      WHERE ${newDraftId}::text IS NOT NULL AND EXISTS (SELECT 1 FROM g)
    )
    SELECT "id", "draftId", true AS "created" FROM g
    UNION ALL
    SELECT "id", "draftId", false AS "created" FROM "Generation"
    WHERE "requestKey" = ${g.requestKey} AND NOT EXISTS (SELECT 1 FROM g)`;
  const row = rows[0];
  if (row) return { id: row.id, draftId: row.draftId, duplicate: !row.created };
  // The earlier delivery committed after this statement's snapshot: read it now.
  const earlier = await db.prisma.generation.findUniqueOrThrow({
    where: { requestKey: g.requestKey },
    select: { id: true, draftId: true },
  });
  return { ...earlier, duplicate: true };
}

/**
 * A row id like Prisma's cuid(): a letter, time-ordered, random enough to never collide. For
 * rows our own SQL inserts (raw SQL bypasses the client's default).
 */
export function newId(): string {
  return `c${Date.now().toString(36)}${randomBytes(8).toString("hex")}`;
}

export interface DeliveredOutcome {
  model: string;
  usage: TokenUse[];
  draft: string;
  words: number;
  latencyMs: number;
  firstChunkMs: number | null;
  sources: Source[];
  cacheHit: boolean;
  cacheEntryId?: string | null;
  /** What the cached draft cost to make: the money this hit saved. */
  savedUsd?: Prisma.Decimal | number;
  /** A revision of a draft: it counts its cost, not an article. */
  revision?: boolean;
  /** The prompt template's name and hash; null when no prompt was sent (a cache hit). */
  promptVersion?: string | null;
}

export interface FailedOutcome {
  errorCode: string;
  error: string;
  usage: TokenUse[];
  latencyMs: number;
}

/**
 * The draft is written and every chunk of it is in the chat: its tokens, cost and article are
 * counted (rollups included) and the reservation can be released. The generation stays RUNNING
 * (with `finishedAt` set) until the closing message is accepted too: only `recordDelivered`
 * makes it DELIVERED, so "delivered" means the person has the whole thing, and the next turn in
 * the conversation waits for it. Returns the priced totals, or null when an earlier attempt
 * already recorded it (a retry): nothing is counted twice.
 */
export async function recordWritten(
  db: Database,
  id: string,
  o: DeliveredOutcome,
  prices: Database | PriceSource = db,
): Promise<UsageTotal | null> {
  const priced = await priceUsage(prices, o.usage);
  const total = totalCost(priced);
  const sources = o.sources.map(({ documentId, title, score }) => ({ documentId, title, score }));
  const done = await finalUpdate(
    db,
    id,
    Prisma.sql`
      "status" = 'RUNNING',
      "model" = ${o.model},
      "inputTokens" = ${total.inputTokens},
      "outputTokens" = ${total.outputTokens},
      "costUsd" = ${total.costUsd.toString()}::decimal,
      "costUnpriced" = ${total.unpriced},
      "latencyMs" = ${o.latencyMs}::int,
      "firstChunkMs" = ${o.firstChunkMs}::int,
      "words" = ${o.words}::int,
      "draft" = ${o.draft}::text,
      "cacheHit" = ${o.cacheHit},
      "cacheEntryId" = ${o.cacheEntryId ?? null}::text,
      "savedUsd" = ${o.cacheHit ? new Prisma.Decimal(o.savedUsd ?? 0).toString() : null}::decimal,
      "promptVersion" = ${o.promptVersion ?? null}::text,
      "sources" = ${JSON.stringify(sources)}::jsonb`,
    priced,
    {
      articles: o.revision ? 0 : 1,
      cacheHits: o.cacheHit ? 1 : 0,
      failures: 0,
      inputTokens: total.inputTokens,
      outputTokens: total.outputTokens,
      costUsd: total.costUsd,
      savedUsd: new Prisma.Decimal(o.savedUsd ?? 0),
      latencyMs: o.latencyMs,
    },
  );
  return done ? total : null;
}

/**
 * Makes a generation final-in-counting, once, in ONE statement: the conditional update of its
 * row (still QUEUED or RUNNING, not written yet), its priced calls, and its day's rollups
 * (requester, workspace, model), each part only when the update matched. One statement instead
 * of an interactive transaction: a busy worker's event loop is not between the statements, so
 * the connection and the locks on the hot rollup rows (every draft of a workspace adds to the
 * same DailyTenantUsage row) are held for the statement's run alone, not for several round
 * trips (decision 130). True when this call made it final.
 */
async function finalUpdate(
  db: Database,
  id: string,
  set: Prisma.Sql,
  priced: PricedUse[],
  daily: DailyDelta,
): Promise<boolean> {
  const members = [
    Prisma.sql`g AS (
      UPDATE "Generation" SET ${set}, "finishedAt" = ${new Date()}::timestamp(3)
      WHERE "id" = ${id} AND "status" IN ('QUEUED', 'RUNNING') AND "finishedAt" IS NULL
      RETURNING "day", "requesterId", "tenantId", "platform")`,
    ...(priced.length
      ? [
          Prisma.sql`tu AS (
            INSERT INTO "TokenUsage" ("id", "generationId", "operation", "model", "inputTokens", "outputTokens",
              "costUsd", "unpriced", "inputPerMTokUsd", "outputPerMTokUsd")
            SELECT v.* FROM (VALUES ${Prisma.join(
              priced.map(
                (u) =>
                  Prisma.sql`(${newId()}::text, ${id}::text, ${u.operation}::"TokenOperation", ${u.model}::text,
                    ${u.inputTokens}::int, ${u.outputTokens}::int, ${u.costUsd.toString()}::decimal, ${u.unpriced}::boolean,
                    ${u.inputPerMTokUsd?.toString() ?? null}::decimal, ${u.outputPerMTokUsd?.toString() ?? null}::decimal)`,
              ),
            )}) AS v WHERE EXISTS (SELECT 1 FROM g))`,
        ]
      : []),
    ...dailyUsageMembers(daily),
    ...modelUsageMembers(priced),
  ];
  const rows = await db.prisma.$queryRaw<{ n: number }[]>`
    WITH ${Prisma.join(members, ", ")}
    SELECT count(*)::int AS "n" FROM g`;
  return (rows[0]?.n ?? 0) > 0;
}

/**
 * The closing message is in the chat too (or could not be, for a reason the sink named): the
 * generation is final. False when it was not written yet or is already final.
 */
export async function recordDelivered(
  db: Database,
  id: string,
  incomplete?: { errorCode: string; error: string },
): Promise<boolean> {
  const updated = await db.prisma.generation.updateMany({
    where: { id, status: "RUNNING", finishedAt: { not: null } },
    data: {
      status: "DELIVERED",
      ...(incomplete ? { errorCode: incomplete.errorCode, error: incomplete.error.slice(0, 2_000) } : {}),
    },
  });
  return updated.count > 0;
}

/** A failure counts no article; tokens already spent still count as cost (they were billed). */
export async function recordFailed(db: Database, id: string, o: FailedOutcome): Promise<boolean> {
  return recordUnfinished(db, id, o.usage, {
    status: "FAILED",
    errorCode: o.errorCode,
    error: o.error.slice(0, 2_000),
    latencyMs: o.latencyMs,
    failures: 1,
  });
}

/**
 * The person asked to stop: no article counts (the slot is given back), the tokens already
 * spent do (they were billed), and nothing is a failure.
 */
export async function recordStopped(
  db: Database,
  id: string,
  o: { usage: TokenUse[]; latencyMs: number },
): Promise<boolean> {
  return recordUnfinished(db, id, o.usage, {
    status: "CANCELLED",
    errorCode: "stopped",
    latencyMs: o.latencyMs,
    failures: 0,
  });
}

/**
 * Ends a generation that delivered no article (failed or stopped), once: its billed tokens
 * are recorded and rolled up, and a billed draft says which model billed it (the log and the
 * CSV show it). False when it was already final. A written draft (finishedAt set) already
 * counted its article and tokens: it can only become DELIVERED now, never failed or stopped.
 */
async function recordUnfinished(
  db: Database,
  id: string,
  usage: TokenUse[],
  end: {
    status: "FAILED" | "CANCELLED";
    errorCode: string;
    error?: string;
    latencyMs: number;
    failures: 0 | 1;
  },
): Promise<boolean> {
  const priced = await priceUsage(db, usage);
  const total = totalCost(priced);
  // Writing or revising: the call that made the draft names the model (embeddings do not).
  const chatModel = priced.filter((u) => u.operation === "CHAT" || u.operation === "REVISION").at(-1)?.model;
  return finalUpdate(
    db,
    id,
    Prisma.join(
      [
        Prisma.sql`"status" = ${end.status}::"GenerationStatus"`,
        ...(chatModel ? [Prisma.sql`"model" = ${chatModel}`] : []),
        Prisma.sql`"errorCode" = ${end.errorCode}`,
        ...(end.error !== undefined ? [Prisma.sql`"error" = ${end.error}`] : []),
        Prisma.sql`"inputTokens" = ${total.inputTokens}`,
        Prisma.sql`"outputTokens" = ${total.outputTokens}`,
        Prisma.sql`"costUsd" = ${total.costUsd.toString()}::decimal`,
        Prisma.sql`"costUnpriced" = ${total.unpriced}`,
        Prisma.sql`"latencyMs" = ${end.latencyMs}::int`,
      ],
      ", ",
    ),
    priced,
    {
      articles: 0,
      cacheHits: 0,
      failures: end.failures,
      inputTokens: total.inputTokens,
      outputTokens: total.outputTokens,
      costUsd: total.costUsd,
      savedUsd: new Prisma.Decimal(0),
      latencyMs: null,
    },
  );
}

/**
 * A refused request: counted in the day's rollup and kept as a row naming the limit that
 * refused it (the console lists refusals by limit from QuotaRefusal).
 */
export async function recordRefusal(
  db: Database,
  r: { day: Date; requesterId: string; tenantId: string; platform: Platform; limit: string; tier: string },
): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    await addDailyUsage(tx, r, {
      articles: 0,
      cacheHits: 0,
      failures: 0,
      refusals: 1,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: new Prisma.Decimal(0),
      savedUsd: new Prisma.Decimal(0),
      latencyMs: null,
    });
    await tx.quotaRefusal.create({
      data: {
        day: r.day,
        requesterId: r.requesterId,
        tenantId: r.tenantId,
        platform: r.platform,
        limit: r.limit,
        tier: r.tier,
      },
    });
  });
}

type Tx = Pick<Database["prisma"], "$executeRaw">;

interface DailyDelta {
  articles: number;
  cacheHits: number;
  failures: number;
  refusals?: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: Prisma.Decimal;
  savedUsd: Prisma.Decimal;
  latencyMs: number | null;
}

/** The keys a day's rollups are filed under, as the statement's `g` row. */
function keysRow(g: { day: Date; requesterId?: string; tenantId?: string; platform?: Platform }): Prisma.Sql {
  return Prisma.sql`g AS (SELECT ${g.day}::date AS "day", ${g.requesterId ?? null}::text AS "requesterId",
    ${g.tenantId ?? null}::text AS "tenantId", ${g.platform ?? null}::"Platform" AS "platform")`;
}

// One statement, so concurrent writers add up instead of overwriting each other.
async function addDailyUsage(
  tx: Tx,
  g: { day: Date; requesterId: string; tenantId: string; platform: Platform },
  d: DailyDelta,
) {
  await tx.$executeRaw`WITH ${Prisma.join([keysRow(g), ...dailyUsageMembers(d)], ", ")} SELECT 1`;
}

/**
 * The requester's and the workspace's day rollups as WITH members reading the keys from `g`
 * (nothing is added when `g` is empty). The workspace's own rollup lands in the same
 * statement: its caps (core/quota/caps.ts) and the console's Overview and breakdown read it,
 * so it is exactly DailyUsage summed per workspace.
 */
function dailyUsageMembers(d: DailyDelta): Prisma.Sql[] {
  const buckets = LATENCY_BUCKETS_MS.map((_, i) =>
    d.latencyMs !== null && i === latencyBucket(d.latencyMs) ? 1 : 0,
  );
  return [
    Prisma.sql`du AS (
    INSERT INTO "DailyUsage" ("day", "requesterId", "tenantId", "platform", "articles", "cacheHits", "failures", "refusals",
      "inputTokens", "outputTokens", "costUsd", "savedUsd", "latencyMsTotal", "latencyBuckets", "updatedAt")
    SELECT g."day", g."requesterId", g."tenantId", g."platform", ${d.articles}::int, ${d.cacheHits}::int, ${d.failures}::int,
      ${d.refusals ?? 0}::int, ${d.inputTokens}::int, ${d.outputTokens}::int, ${d.costUsd.toString()}::decimal,
      ${d.savedUsd.toString()}::decimal, ${d.latencyMs ?? 0}::bigint, ${buckets}::int[], now()
    FROM g
    ON CONFLICT ("day", "requesterId") DO UPDATE SET
      "articles" = "DailyUsage"."articles" + EXCLUDED."articles",
      "cacheHits" = "DailyUsage"."cacheHits" + EXCLUDED."cacheHits",
      "failures" = "DailyUsage"."failures" + EXCLUDED."failures",
      "refusals" = "DailyUsage"."refusals" + EXCLUDED."refusals",
      "inputTokens" = "DailyUsage"."inputTokens" + EXCLUDED."inputTokens",
      "outputTokens" = "DailyUsage"."outputTokens" + EXCLUDED."outputTokens",
      "costUsd" = "DailyUsage"."costUsd" + EXCLUDED."costUsd",
      "savedUsd" = "DailyUsage"."savedUsd" + EXCLUDED."savedUsd",
      "latencyMsTotal" = "DailyUsage"."latencyMsTotal" + EXCLUDED."latencyMsTotal",
      "latencyBuckets" = ARRAY(
        SELECT COALESCE(a, 0) + COALESCE(b, 0)
        FROM unnest("DailyUsage"."latencyBuckets", EXCLUDED."latencyBuckets") WITH ORDINALITY AS t(a, b, i) ORDER BY i),
      "updatedAt" = now())`,
    Prisma.sql`dtu AS (
    INSERT INTO "DailyTenantUsage" ("day", "tenantId", "articles", "cacheHits", "failures", "refusals",
      "costUsd", "savedUsd", "latencyBuckets", "updatedAt")
    SELECT g."day", g."tenantId", ${d.articles}::int, ${d.cacheHits}::int, ${d.failures}::int, ${d.refusals ?? 0}::int,
      ${d.costUsd.toString()}::decimal, ${d.savedUsd.toString()}::decimal, ${buckets}::int[], now()
    FROM g
    ON CONFLICT ("tenantId", "day") DO UPDATE SET
      "articles" = "DailyTenantUsage"."articles" + EXCLUDED."articles",
      "cacheHits" = "DailyTenantUsage"."cacheHits" + EXCLUDED."cacheHits",
      "failures" = "DailyTenantUsage"."failures" + EXCLUDED."failures",
      "refusals" = "DailyTenantUsage"."refusals" + EXCLUDED."refusals",
      "costUsd" = "DailyTenantUsage"."costUsd" + EXCLUDED."costUsd",
      "savedUsd" = "DailyTenantUsage"."savedUsd" + EXCLUDED."savedUsd",
      "latencyBuckets" = ARRAY(
        SELECT COALESCE(a, 0) + COALESCE(b, 0)
        FROM unnest("DailyTenantUsage"."latencyBuckets", EXCLUDED."latencyBuckets") WITH ORDINALITY AS t(a, b, i) ORDER BY i),
      "updatedAt" = now())`,
  ];
}

/** Adds one priced call to the per-model daily rollup (chat, embedding, or the quality judge). */
export async function addModelUsage(
  tx: Tx,
  day: Date,
  u: {
    model: string;
    operation: TokenUse["operation"];
    inputTokens: number;
    outputTokens: number;
    costUsd: Prisma.Decimal;
  },
) {
  await tx.$executeRaw`WITH ${Prisma.join([keysRow({ day }), ...modelUsageMembers([u])], ", ")} SELECT 1`;
}

/**
 * The per-model daily rollup of these calls as a WITH member reading the day from `g`. Calls of
 * the same model and operation are summed first: one INSERT cannot update the same row twice.
 */
function modelUsageMembers(
  uses: Array<Pick<PricedUse, "model" | "operation" | "inputTokens" | "outputTokens" | "costUsd">>,
): Prisma.Sql[] {
  const sums = new Map<
    string,
    {
      model: string;
      operation: TokenUse["operation"];
      calls: number;
      input: number;
      output: number;
      cost: Prisma.Decimal;
    }
  >();
  for (const u of uses) {
    const key = `${u.operation} ${u.model}`;
    const s = sums.get(key) ?? {
      model: u.model,
      operation: u.operation,
      calls: 0,
      input: 0,
      output: 0,
      cost: new Prisma.Decimal(0),
    };
    s.calls++;
    s.input += u.inputTokens;
    s.output += u.outputTokens;
    s.cost = s.cost.add(u.costUsd);
    sums.set(key, s);
  }
  if (!sums.size) return [];
  const rows = [...sums.values()].map(
    (s) =>
      Prisma.sql`(${s.model}::text, ${s.operation}::"TokenOperation", ${s.calls}::int, ${s.input}::bigint, ${s.output}::bigint, ${s.cost.toString()}::decimal)`,
  );
  return [
    Prisma.sql`dmu AS (
    INSERT INTO "DailyModelUsage" ("day", "model", "operation", "calls", "inputTokens", "outputTokens", "costUsd", "updatedAt")
    SELECT g."day", v.* , now() FROM g CROSS JOIN (VALUES ${Prisma.join(rows)}) AS v
    ON CONFLICT ("day", "model", "operation") DO UPDATE SET
      "calls" = "DailyModelUsage"."calls" + EXCLUDED."calls",
      "inputTokens" = "DailyModelUsage"."inputTokens" + EXCLUDED."inputTokens",
      "outputTokens" = "DailyModelUsage"."outputTokens" + EXCLUDED."outputTokens",
      "costUsd" = "DailyModelUsage"."costUsd" + EXCLUDED."costUsd",
      "updatedAt" = now())`,
  ];
}

/** The rest of a partly delivered draft arrived: it is delivered, with no error left on it. */
export async function recordDeliveryComplete(db: Database, id: string): Promise<void> {
  await db.prisma.generation.updateMany({
    where: { id, status: "DELIVERED", errorCode: { not: null } },
    data: { errorCode: null, error: null },
  });
}
