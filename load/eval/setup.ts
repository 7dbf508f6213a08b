import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { parseJudgeVerdict, parseQualityReport } from "../../core/quality/record.ts";
import type { EvalResult } from "./report.ts";

/**
 * One arm of an eval: its own tier (no daily cap, no topic cache, so every request is really
 * written; the model it names, or the configured one) and its own tenant.
 */
export async function prepareArm(app: AppContext, pipeline: Pipeline, name: string, model: string | null) {
  const suffix = randomBytes(3).toString("hex");
  const tier = await app.db.prisma.tier.create({
    data: {
      name: `Eval ${name} ${suffix}`,
      description: "npm run eval",
      dailyArticleLimit: null,
      burstPerMinute: 10_000,
      maxWords: 4_000,
      monthlyBudgetUsd: null,
      allowedModel: model,
      cacheScope: "NONE",
    },
  });
  const tenant = `eval-${suffix}`;
  await app.db.prisma.tenant.create({
    data: { platform: "CONSOLE", externalId: tenant, name: "npm run eval", defaultTierId: tier.id },
  });
  return { name, ask: asker(pipeline, tenant) };
}

function asker(pipeline: Pipeline, tenant: string) {
  return async (id: string, form: Record<string, unknown>): Promise<string> => {
    const accepted = await pipeline.accept({
      platform: "CONSOLE",
      eventId: `eval-${tenant}-${id}`,
      tenant: { externalId: tenant },
      requester: { externalId: "eval" },
      input: { kind: "form", form },
      destination: { platform: "CONSOLE", conversation: id },
    });
    if (accepted.kind !== "queued") throw new Error(`request ${id} was not queued: ${accepted.kind}`);
    return accepted.generationId;
  };
}

const FINAL = new Set(["DELIVERED", "FAILED", "CANCELLED"]);

/** Waits for the generation to finish and be checked (and judged, when a judge is on). */
export async function collectResult(
  app: AppContext,
  generationId: string,
  id: string,
  arm: string,
  judging: boolean,
): Promise<EvalResult> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const g = await app.db.prisma.generation.findUniqueOrThrow({
      where: { id: generationId },
      include: { tokenUsage: true },
    });
    const checked =
      g.status !== "DELIVERED" ||
      (g.qualityScore !== null && (!judging || g.judge !== null || g.model === "offline-composer"));
    if ((FINAL.has(g.status) && checked) || Date.now() > deadline) {
      const report = parseQualityReport(g.qualityChecks);
      const chat = g.tokenUsage.filter((u) => u.operation === "CHAT");
      return {
        id,
        arm,
        model: g.model,
        promptVersion: g.promptVersion,
        language: g.language,
        status: FINAL.has(g.status) ? g.status : "TIMED_OUT",
        targetWords: g.targetWords,
        words: g.words ?? 0,
        score: g.qualityScore,
        failed: report?.failed ?? [],
        checks: report?.checks ?? [],
        judge: parseJudgeVerdict(g.judge),
        inputTokens: chat.reduce((s, u) => s + u.inputTokens, 0),
        outputTokens: chat.reduce((s, u) => s + u.outputTokens, 0),
        costUsd: g.costUsd.toNumber(),
        judgeCostUsd: g.tokenUsage
          .filter((u) => u.operation === "JUDGE")
          .reduce((s, u) => s + u.costUsd.toNumber(), 0),
        timeMs: g.latencyMs,
      };
    }
    await delay(50);
  }
}
