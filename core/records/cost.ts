import { type Database, type ModelPrice, Prisma } from "../db/client.ts";

const Decimal = Prisma.Decimal;
type Decimal = Prisma.Decimal;

export interface TokenUse {
  /** REVISION: a chat call that rewrote an existing draft; JUDGE: the optional quality judge. Each kept apart in the cost breakdown. */
  operation: "CHAT" | "EMBEDDING" | "REVISION" | "JUDGE";
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export interface PricedUse extends TokenUse {
  costUsd: Decimal;
  /** No price for this model: the cost shown is incomplete, never a silent $0. */
  unpriced: boolean;
  /** The price applied, USD per million tokens, kept with the call ("what it cost and why"). */
  inputPerMTokUsd: Decimal | null;
  outputPerMTokUsd: Decimal | null;
}

const PER_MILLION = new Decimal(1_000_000);

/** Where prices come from: the ModelPrice table, or the catalog's copy of it (core/records/catalog.ts). */
export interface PriceSource {
  prices(models: string[]): Promise<ModelPrice[]>;
}

function priceSource(from: Database | PriceSource): PriceSource {
  if ("prices" in from) return from;
  return { prices: (models) => from.prisma.modelPrice.findMany({ where: { model: { in: models } } }) };
}

/** Prices are read as of now (the table, or the catalog at its current version): a console edit applies at once. */
export async function priceUsage(from: Database | PriceSource, uses: TokenUse[]): Promise<PricedUse[]> {
  // A fine-tuned or dated model is priced as its base model unless priced itself, so both are read.
  const models = [...new Set(uses.flatMap((u) => [u.model, baseModel(u.model)]))];
  const prices = models.length ? await priceSource(from).prices(models) : [];
  const byModel = new Map(prices.map((p) => [p.model, p]));
  return uses.map((u) => {
    const price = byModel.get(u.model) ?? byModel.get(baseModel(u.model));
    if (!price)
      return {
        ...u,
        costUsd: new Decimal(0),
        unpriced: u.inputTokens + u.outputTokens > 0,
        inputPerMTokUsd: null,
        outputPerMTokUsd: null,
      };
    const cost = price.inputPerMTokUsd
      .mul(u.inputTokens)
      .add(price.outputPerMTokUsd.mul(u.outputTokens))
      .div(PER_MILLION);
    return {
      ...u,
      costUsd: cost,
      unpriced: false,
      inputPerMTokUsd: price.inputPerMTokUsd,
      outputPerMTokUsd: price.outputPerMTokUsd,
    };
  });
}

/**
 * A fine-tuned model ("ft:gpt-4o-mini-2024-07-18:acme::id") or a dated snapshot
 * ("gpt-4o-mini-2024-07-18") falls back to its base model's price unless priced itself.
 */
export function baseModel(model: string): string {
  const base = model.startsWith("ft:") ? (model.split(":")[1] ?? model) : model;
  return base.replace(/-\d{4}-\d{2}-\d{2}$/, "");
}

export interface UsageTotal {
  costUsd: Decimal;
  unpriced: boolean;
  inputTokens: number;
  outputTokens: number;
}

export function totalCost(uses: PricedUse[]): UsageTotal {
  return uses.reduce<UsageTotal>(
    (sum, u) => ({
      costUsd: sum.costUsd.add(u.costUsd),
      unpriced: sum.unpriced || u.unpriced,
      inputTokens: sum.inputTokens + u.inputTokens,
      outputTokens: sum.outputTokens + u.outputTokens,
    }),
    { costUsd: new Decimal(0), unpriced: false, inputTokens: 0, outputTokens: 0 },
  );
}

// Tokens per word in drafts, measured with the o200k tokenizer of gpt-4o-class models (words
// counted with Intl.Segmenter): English 1.18, Thai 1.67. Rounded up; used only to reserve
// budget before generating, and the reservation is settled to the real cost afterwards.
const TOKENS_PER_WORD = { en: 1.3, th: 1.8 } as const;
const PROMPT_TOKENS_ESTIMATE = 1_200;

/** An upper-end estimate of one article's cost, reserved against the budget up front. */
export async function estimateArticleCost(
  from: Database | PriceSource,
  model: string,
  targetWords: number,
  language: "en" | "th",
): Promise<number> {
  const [priced] = await priceUsage(from, [
    {
      operation: "CHAT",
      model,
      inputTokens: PROMPT_TOKENS_ESTIMATE,
      outputTokens: Math.ceil(targetWords * TOKENS_PER_WORD[language] * 1.2),
    },
  ]);
  return priced ? priced.costUsd.toNumber() : 0;
}
