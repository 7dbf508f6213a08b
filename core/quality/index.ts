import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { QualityJudge } from "./judge.ts";
import { type DeliveredDraft, recordJudgement, recordQuality } from "./record.ts";

export { assessDraft, type QualityReport } from "./score.ts";

/** Where model calls wait their turn (the pipeline's LlmGate): the judge shares the provider's limits. */
export interface CallGate {
  run<T>(work: () => Promise<T>): Promise<T>;
}

const UNGATED: CallGate = { run: (work) => work() };

/**
 * What happens to every delivered draft after the person has it: the deterministic checks
 * always, the LLM judge on a sample when one is configured. Nothing here can fail a delivery.
 */
export class QualityLoop {
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    readonly judge: QualityJudge | null,
    private readonly gate: CallGate = UNGATED,
  ) {}

  async afterDelivery(d: DeliveredDraft & { offline: boolean }): Promise<void> {
    await recordQuality(this.db, this.logger, d);
    // An offline outline is not prose: judging it would only spend tokens on a known answer.
    if (!this.judge || d.offline || !this.judge.sampled()) return;
    try {
      const judge = this.judge;
      const { verdict, usage } = await this.gate.run(() => judge.judge(d.draft, d.request));
      await recordJudgement(this.db, d.generationId, verdict, usage);
      if (verdict.status === "unscored")
        this.logger.warn(
          { generationId: d.generationId, reason: verdict.reason },
          "quality judge gave no score",
        );
    } catch (err) {
      this.logger.warn({ err, generationId: d.generationId }, "could not record the quality judge's verdict");
    }
  }
}

/** The judge from configuration: off unless QUALITY_JUDGE_MODEL and an OpenAI key are both set. */
export function createQualityLoop(
  config: Pick<Config, "openai" | "quality">,
  db: Database,
  logger: Logger,
  gate?: CallGate,
): QualityLoop {
  const { judgeModel, judgeSampleRate } = config.quality;
  const { apiKey, baseUrl } = config.openai;
  const judge =
    judgeModel && apiKey
      ? new QualityJudge({ apiKey, baseUrl, model: judgeModel, sampleRate: judgeSampleRate })
      : null;
  return new QualityLoop(db, logger, judge, gate);
}
