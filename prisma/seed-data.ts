import type { CacheScope, LinePushPolicy } from "../core/db/client.ts";

/** Starting tiers. Admins edit them in the console; re-seeding never overwrites their edits. */
export const SEED_TIERS: Array<{
  name: string;
  description: string;
  dailyArticleLimit: number | null;
  burstPerMinute: number;
  maxWords: number;
  monthlyBudgetUsd: string | null;
  cacheScope: CacheScope;
  /** Revisions of one draft ("make it shorter"); they use no article slot. */
  revisionsPerDraft: number;
  /** When a LINE draft may be pushed (paid) rather than replied (free). */
  linePushPolicy: LinePushPolicy;
}> = [
  {
    name: "Free",
    description: "Clients trying the service",
    dailyArticleLimit: 10,
    burstPerMinute: 10,
    maxWords: 800,
    monthlyBudgetUsd: "5.00",
    cacheScope: "TENANT",
    revisionsPerDraft: 3,
    linePushPolicy: "NEVER",
  },
  {
    name: "Pro",
    description: "Regular clients and staff",
    dailyArticleLimit: 100,
    burstPerMinute: 30,
    maxWords: 2000,
    monthlyBudgetUsd: "100.00",
    cacheScope: "TENANT",
    revisionsPerDraft: 10,
    linePushPolicy: "FALLBACK",
  },
  {
    name: "Enterprise",
    description: "No daily cap; bounded by burst and budget",
    dailyArticleLimit: null,
    burstPerMinute: 60,
    maxWords: 4000,
    monthlyBudgetUsd: "1000.00",
    cacheScope: "TENANT",
    revisionsPerDraft: 30,
    linePushPolicy: "FALLBACK",
  },
];

/** USD per million tokens, as published by OpenAI for the default models (editable in the console). */
export const SEED_MODEL_PRICES: Array<{ model: string; inputPerMTokUsd: string; outputPerMTokUsd: string }> =
  [
    { model: "gpt-4o-mini", inputPerMTokUsd: "0.15", outputPerMTokUsd: "0.60" },
    { model: "gpt-4o", inputPerMTokUsd: "2.50", outputPerMTokUsd: "10.00" },
    { model: "gpt-4.1-mini", inputPerMTokUsd: "0.40", outputPerMTokUsd: "1.60" },
    { model: "gpt-4.1", inputPerMTokUsd: "2.00", outputPerMTokUsd: "8.00" },
    { model: "text-embedding-3-small", inputPerMTokUsd: "0.02", outputPerMTokUsd: "0" },
    { model: "text-embedding-3-large", inputPerMTokUsd: "0.13", outputPerMTokUsd: "0" },
  ];

export const DEFAULT_ADMIN_EMAIL = "admin@articlebot.local";
