import { z } from "zod";
import type { Database, Prisma } from "../db/client.ts";
import type { ArticleRequest, Platform, Source } from "../domain.ts";
import type { Logger } from "../logger.ts";
import { articleQualityScore } from "../metrics.ts";
import { priceUsage, type TokenUse } from "../records/cost.ts";
import { addModelUsage } from "../records/generations.ts";
import { type JudgeVerdict, verdictSchema } from "./judge.ts";
import { assessDraft, type QualityReport } from "./score.ts";

/** The house-style phrases drafts should avoid, as an admin last edited them. */
export async function loadAvoidPhrases(db: Database): Promise<string[]> {
  const rows = await db.prisma.stylePhrase.findMany({ orderBy: { phrase: "asc" } });
  return rows.map((r) => r.phrase);
}

export interface DeliveredDraft {
  generationId: string;
  platform: Platform;
  draft: string;
  request: ArticleRequest;
  sources: Source[];
  maxWords: number | null;
}

/**
 * Checks a delivered draft and stores the report with its generation. Called after the draft
 * reached the person, and never throws: a check that breaks must not turn a delivery into a
 * failure (it is logged, and the generation stays unscored).
 */
export async function recordQuality(
  db: Database,
  logger: Logger,
  d: DeliveredDraft,
): Promise<QualityReport | null> {
  try {
    const report = assessDraft({
      draft: d.draft,
      request: d.request,
      maxWords: d.maxWords,
      excerpts: d.sources.map((s) => s.excerpt ?? ""),
      avoidPhrases: await loadAvoidPhrases(db),
    });
    await db.prisma.generation.updateMany({
      where: { id: d.generationId },
      data: { qualityScore: report.score, qualityChecks: reportJson(report) },
    });
    articleQualityScore.observe({ platform: d.platform.toLowerCase() }, report.score);
    return report;
  } catch (err) {
    logger.warn({ err, generationId: d.generationId }, "could not check the draft's quality");
    return null;
  }
}

const checkSchema = z.object({
  name: z.enum(["length", "structure", "repetition", "overlap", "language", "keywords", "style"]),
  passed: z.boolean(),
  credit: z.number(),
  measured: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.string())])),
});

export const qualityReportSchema = z.object({
  version: z.number().int(),
  score: z.number(),
  failed: z.array(checkSchema.shape.name),
  checks: z.array(checkSchema),
});

/** A stored report read back (console, eval): parsed, never cast; null when absent or not a report. */
export function parseQualityReport(json: unknown): QualityReport | null {
  const parsed = qualityReportSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/**
 * Stores the judge's verdict and what it cost. The judge is the operator's cost, not the
 * requester's: it goes to TokenUsage (operation JUDGE) and the per-model rollup, never into the
 * generation's cost or the requester's budget.
 */
export async function recordJudgement(
  db: Database,
  generationId: string,
  verdict: JudgeVerdict,
  usage: TokenUse | null,
): Promise<void> {
  const priced = usage ? await priceUsage(db, [usage]) : [];
  await db.prisma.$transaction(async (tx) => {
    const g = await tx.generation.update({
      where: { id: generationId },
      data: { judge: verdictJson(verdict) },
      select: { day: true },
    });
    for (const u of priced) {
      await tx.tokenUsage.create({ data: { generationId, ...u } });
      await addModelUsage(tx, g.day, u);
    }
  });
}

export function parseJudgeVerdict(json: unknown): JudgeVerdict | null {
  const parsed = verdictSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function reportJson(r: QualityReport): Prisma.InputJsonObject {
  return {
    version: r.version,
    score: r.score,
    failed: r.failed,
    checks: r.checks.map((c) => ({
      name: c.name,
      passed: c.passed,
      credit: c.credit,
      measured: { ...c.measured },
    })),
  };
}

function verdictJson(v: JudgeVerdict): Prisma.InputJsonObject {
  if (v.status === "unscored") return { status: v.status, model: v.model, reason: v.reason };
  const scores = Object.fromEntries(
    Object.entries(v.scores).map(([axis, s]) => [axis, { score: s.score, reason: s.reason }]),
  );
  return { status: v.status, model: v.model, scores, mean: v.mean };
}
