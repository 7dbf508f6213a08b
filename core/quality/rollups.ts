import { type Database, Prisma } from "../db/client.ts";
import { parseQualityReport } from "./record.ts";

/**
 * Score, judge and 👍 rate of delivered drafts, grouped the ways an admin compares them.
 * Votes are counters on the generation (kept on write), so one grouped scan of a window's
 * generations answers every view; the column list is closed, never built from input.
 */

export type QualityDimension = "day" | "model" | "promptVersion" | "tier" | "language" | "platform";

const GROUP_BY: Record<QualityDimension, Prisma.Sql> = {
  day: Prisma.sql`to_char(g."day", 'YYYY-MM-DD')`,
  model: Prisma.sql`COALESCE(g."model", '')`,
  promptVersion: Prisma.sql`COALESCE(g."promptVersion", '(cache hit or before versions)')`,
  tier: Prisma.sql`COALESCE(tr."name", td."name")`,
  language: Prisma.sql`g."language"`,
  platform: Prisma.sql`g."platform"::text`,
};

export interface QualityRow {
  key: string;
  drafts: number;
  scored: number;
  meanScore: number | null;
  judged: number;
  meanJudge: number | null;
  up: number;
  down: number;
  /** Share of 👍 among votes, 0–1; null with no votes. */
  upRate: number | null;
}

export async function qualityBy(db: Database, by: QualityDimension, since: Date): Promise<QualityRow[]> {
  const key = GROUP_BY[by];
  const rows = await db.prisma.$queryRaw<
    Array<{
      key: string;
      drafts: number;
      scored: number;
      meanScore: number | null;
      judged: number;
      meanJudge: number | null;
      up: number;
      down: number;
    }>
  >`
    SELECT ${key} AS "key",
      COUNT(*)::int AS "drafts",
      COUNT(g."qualityScore")::int AS "scored",
      AVG(g."qualityScore")::float AS "meanScore",
      COUNT(*) FILTER (WHERE g."judge"->>'status' = 'scored')::int AS "judged",
      AVG((g."judge"->>'mean')::float) FILTER (WHERE g."judge"->>'status' = 'scored')::float AS "meanJudge",
      COALESCE(SUM(g."votesUp"), 0)::int AS "up",
      COALESCE(SUM(g."votesDown"), 0)::int AS "down"
    FROM "Generation" g
    JOIN "Requester" r ON r."id" = g."requesterId"
    JOIN "Tenant" t ON t."id" = g."tenantId"
    LEFT JOIN "Tier" tr ON tr."id" = r."tierId"
    JOIN "Tier" td ON td."id" = t."defaultTierId"
    WHERE g."status" = 'DELIVERED' AND g."createdAt" >= ${since}
    GROUP BY 1
    ORDER BY 1`;
  return rows.map((r) => ({
    ...r,
    meanScore: r.meanScore === null ? null : Math.round(r.meanScore * 10) / 10,
    meanJudge: r.meanJudge === null ? null : Math.round(r.meanJudge * 10) / 10,
    upRate: r.up + r.down ? Math.round((r.up / (r.up + r.down)) * 1000) / 1000 : null,
  }));
}

/** The lowest-scored drafts of the window, with the checks they failed. */
export async function worstDrafts(db: Database, since: Date, take = 20) {
  const rows = await db.prisma.generation.findMany({
    where: { status: "DELIVERED", createdAt: { gte: since }, qualityScore: { not: null } },
    orderBy: [{ qualityScore: "asc" }, { createdAt: "desc" }],
    take,
    select: {
      id: true,
      topic: true,
      language: true,
      platform: true,
      model: true,
      promptVersion: true,
      qualityScore: true,
      qualityChecks: true,
      votesUp: true,
      votesDown: true,
      createdAt: true,
    },
  });
  return rows.map(({ qualityChecks, ...r }) => ({
    ...r,
    failed: parseQualityReport(qualityChecks)?.failed ?? [],
  }));
}
