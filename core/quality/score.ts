import { type CheckInput, type CheckName, type CheckResult, runChecks } from "./checks.ts";

/**
 * How much each check weighs in the 0–100 score. Length, structure and loops are what a reader
 * sees first; copying and the wrong language are rarer but each disqualifies a draft on its own
 * (they also fail the check, which the console lists by name).
 */
export const CHECK_WEIGHTS: Record<CheckName, number> = {
  length: 20,
  structure: 20,
  repetition: 20,
  overlap: 15,
  language: 10,
  keywords: 10,
  style: 5,
};

export interface QualityReport {
  /** Bumped when checks or weights change, so old and new scores are never mixed unknowingly. */
  version: number;
  score: number;
  failed: CheckName[];
  checks: CheckResult[];
}

export const CHECKS_VERSION = 1;

export function scoreChecks(checks: CheckResult[]): QualityReport {
  const total = checks.reduce((sum, c) => sum + CHECK_WEIGHTS[c.name] * c.credit, 0);
  const weight = checks.reduce((sum, c) => sum + CHECK_WEIGHTS[c.name], 0);
  return {
    version: CHECKS_VERSION,
    score: weight ? Math.round((total / weight) * 100) : 0,
    failed: checks.filter((c) => !c.passed).map((c) => c.name),
    checks,
  };
}

/** Every check on one draft, combined into its score. */
export function assessDraft(input: CheckInput): QualityReport {
  return scoreChecks(runChecks(input));
}
