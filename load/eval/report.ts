import { z } from "zod";
import type { JudgeAxis, JudgeVerdict } from "../../core/quality/judge.ts";
import type { QualityReport } from "../../core/quality/score.ts";

/** One request of the eval set, as run by one arm (a model). */
export interface EvalResult {
  id: string;
  arm: string;
  model: string | null;
  promptVersion: string | null;
  language: string;
  status: string;
  targetWords: number;
  words: number;
  score: number | null;
  failed: string[];
  checks: QualityReport["checks"];
  judge: JudgeVerdict | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  judgeCostUsd: number;
  timeMs: number | null;
}

export interface ArmSummary {
  arm: string;
  drafts: number;
  delivered: number;
  judge: Record<JudgeAxis, number | null>;
  meanScore: number | null;
  /** Share of drafts passing each check. */
  passRate: Record<string, number>;
  meanWords: number | null;
  meanInputTokens: number | null;
  meanOutputTokens: number | null;
  costPerArticleUsd: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

const maybe = z.number().nullable();

/** An arm's summary as `--json` wrote it, read back for `--compare earlier.json`. */
export const ArmSummarySchema = z.object({
  arm: z.string(),
  drafts: z.number(),
  delivered: z.number(),
  judge: z.object({ coherence: maybe, relevance: maybe, originality: maybe, style: maybe }),
  meanScore: maybe,
  passRate: z.record(z.string(), z.number()),
  meanWords: maybe,
  meanInputTokens: maybe,
  meanOutputTokens: maybe,
  costPerArticleUsd: maybe,
  p50Ms: maybe,
  p95Ms: maybe,
}) satisfies z.ZodType<ArmSummary>;

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (n: number | null, digits = 1) =>
  n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile: the value at least p of the samples are at or below. */
export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

export function summarize(arm: string, results: EvalResult[]): ArmSummary {
  const ok = results.filter((r) => r.status === "DELIVERED");
  const scored = ok.flatMap((r) => (r.judge?.status === "scored" ? [r.judge] : []));
  const axis = (a: JudgeAxis) => round(mean(scored.map((j) => j.scores[a].score)));
  const names = [...new Set(ok.flatMap((r) => r.checks.map((c) => c.name)))];
  const times = ok.flatMap((r) => (r.timeMs === null ? [] : [r.timeMs]));
  return {
    arm,
    drafts: results.length,
    delivered: ok.length,
    judge: {
      coherence: axis("coherence"),
      relevance: axis("relevance"),
      originality: axis("originality"),
      style: axis("style"),
    },
    meanScore: round(mean(ok.flatMap((r) => (r.score === null ? [] : [r.score])))),
    passRate: Object.fromEntries(
      names.map((n) => [
        n,
        round(ok.filter((r) => r.checks.some((c) => c.name === n && c.passed)).length / ok.length, 2) ?? 0,
      ]),
    ),
    meanWords: round(mean(ok.map((r) => r.words)), 0),
    meanInputTokens: round(mean(ok.map((r) => r.inputTokens)), 0),
    meanOutputTokens: round(mean(ok.map((r) => r.outputTokens)), 0),
    costPerArticleUsd: round(mean(ok.map((r) => r.costUsd)), 6),
    p50Ms: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
  };
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.slice(1).map(line)].join("\n");
}

const show = (n: number | null, suffix = "") => (n === null ? "–" : `${n}${suffix}`);

export function requestTable(results: EvalResult[]): string {
  return table(
    [
      "request",
      "arm",
      "words",
      "score",
      "failed checks",
      "judge C/R/O/S",
      "in tok",
      "out tok",
      "cost $",
      "time s",
    ],
    results.map((r) => [
      r.id,
      r.arm,
      `${r.words}/${r.targetWords}`,
      r.status === "DELIVERED" ? show(r.score) : r.status.toLowerCase(),
      r.failed.join(", ") || "–",
      r.judge?.status === "scored"
        ? `${r.judge.scores.coherence.score}/${r.judge.scores.relevance.score}/${r.judge.scores.originality.score}/${r.judge.scores.style.score}`
        : r.judge
          ? "unscored"
          : "–",
      r.inputTokens,
      r.outputTokens,
      r.costUsd.toFixed(6),
      r.timeMs === null ? "–" : (r.timeMs / 1000).toFixed(2),
    ]),
  );
}

/** The guide's quality table (judge axes, /10) beside the deterministic checks and the costs. */
export function summaryTable(summaries: ArmSummary[]): string {
  const checks = [...new Set(summaries.flatMap((s) => Object.keys(s.passRate)))];
  const rows: (string | number)[][] = [
    ["Coherence (judge)", ...summaries.map((s) => show(s.judge.coherence, "/10"))],
    ["Relevance (judge)", ...summaries.map((s) => show(s.judge.relevance, "/10"))],
    ["Originality (judge)", ...summaries.map((s) => show(s.judge.originality, "/10"))],
    ["Style (judge)", ...summaries.map((s) => show(s.judge.style, "/10"))],
    ["Quality score (checks)", ...summaries.map((s) => show(s.meanScore, "/100"))],
    ...checks.map((c) => [
      `  ${c} passed`,
      ...summaries.map((s) =>
        s.passRate[c] === undefined ? "–" : `${Math.round((s.passRate[c] ?? 0) * 100)} %`,
      ),
    ]),
    ["Delivered", ...summaries.map((s) => `${s.delivered}/${s.drafts}`)],
    ["Words (mean)", ...summaries.map((s) => show(s.meanWords))],
    ["Prompt tokens (mean)", ...summaries.map((s) => show(s.meanInputTokens))],
    ["Completion tokens (mean)", ...summaries.map((s) => show(s.meanOutputTokens))],
    [
      "Cost per article",
      ...summaries.map((s) => (s.costPerArticleUsd === null ? "–" : `$${s.costPerArticleUsd.toFixed(6)}`)),
    ],
    [
      "Generation time p50",
      ...summaries.map((s) => (s.p50Ms === null ? "–" : `${(s.p50Ms / 1000).toFixed(2)} s`)),
    ],
    [
      "Generation time p95",
      ...summaries.map((s) => (s.p95Ms === null ? "–" : `${(s.p95Ms / 1000).toFixed(2)} s`)),
    ],
  ];
  return table(["metric", ...summaries.map((s) => s.arm)], rows);
}
