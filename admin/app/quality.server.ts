import type { Database } from "../../core/db/client.ts";
import { feedbackFor } from "../../core/quality/feedback.ts";
import { parseJudgeVerdict, parseQualityReport } from "../../core/quality/record.ts";
import { type QualityDimension, qualityBy, worstDrafts } from "../../core/quality/rollups.ts";

export const DIMENSIONS: Array<{ by: QualityDimension; label: string }> = [
  { by: "model", label: "Model" },
  { by: "promptVersion", label: "Prompt version" },
  { by: "tier", label: "Tier" },
  { by: "language", label: "Language" },
  { by: "platform", label: "Platform" },
];

export async function qualityOverview(db: Database, days: number) {
  const since = new Date(Date.now() - days * 86_400_000);
  const [overTime, worst, ...groups] = await Promise.all([
    qualityBy(db, "day", since),
    worstDrafts(db, since, 20),
    ...DIMENSIONS.map((d) => qualityBy(db, d.by, since)),
  ]);
  return {
    overTime,
    groups: DIMENSIONS.map((d, i) => ({ ...d, rows: groups[i] ?? [] })),
    worst: worst.map((w) => ({ ...w, createdAt: w.createdAt.toISOString() })),
  };
}

/** What the generation page shows of a draft's quality: checks, the judge's verdict, votes. */
export async function generationQuality(
  db: Database,
  g: { id: string; qualityChecks: unknown; judge: unknown; promptVersion: string | null },
) {
  const votes = await feedbackFor(db, g.id);
  return {
    promptVersion: g.promptVersion,
    report: parseQualityReport(g.qualityChecks),
    judge: parseJudgeVerdict(g.judge),
    votes: votes.map((v) => ({ ...v, updatedAt: v.updatedAt.toISOString() })),
  };
}
