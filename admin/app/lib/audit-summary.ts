/**
 * One summariser for every audited change: the fields that differ between an audit row's
 * before and after, worded for people ("daily limit 10 → 3"), whatever the entity. Fields it
 * has no label for are shown by their own name, so a new audited field needs no change here.
 */

const FIELD_LABEL: Record<string, string> = {
  name: "name",
  description: "description",
  dailyArticleLimit: "daily limit",
  burstPerMinute: "burst per minute",
  maxWords: "maximum words",
  monthlyBudgetUsd: "monthly budget",
  allowedModel: "model",
  cacheScope: "cache scope",
  revisionsPerDraft: "revisions per draft",
  retiredAt: "retired",
  tier: "tier",
  blocked: "blocked",
  usedToday: "used today",
  limit: "limit",
  pinnedShared: "shared with everyone",
  entries: "entries",
  inputPerMTokUsd: "input price per 1M tokens",
  outputPerMTokUsd: "output price per 1M tokens",
  role: "role",
  disabledAt: "disabled",
};

/** Fields that say the same as another, shown only for ids: the tier's name beats its id. */
const HIDDEN = new Set(["tierId", "defaultTierId"]);

/** What "nothing" means for a field: no daily limit is unlimited, no model is the default. */
const EMPTY_AS: Record<string, string> = {
  dailyArticleLimit: "unlimited",
  monthlyBudgetUsd: "no budget",
  allowedModel: "the default model",
  retiredAt: "no",
  disabledAt: "no",
};

export function auditChanges(before: unknown, after: unknown): string[] {
  const b = asRecord(before);
  const a = asRecord(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !HIDDEN.has(k));
  const out: string[] = [];
  for (const key of keys) {
    const from = b[key];
    const to = a[key];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    const label = FIELD_LABEL[key] ?? key;
    if (!(key in b)) out.push(`${label}: ${show(key, to)}`);
    else if (!(key in a)) out.push(`${label} was ${show(key, from)}`);
    else out.push(`${label} ${show(key, from)} → ${show(key, to)}`);
  }
  return out;
}

function show(key: string, v: unknown): string {
  if (v === null || v === undefined || v === "") return EMPTY_AS[key] ?? "none";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) return "yes";
  if (key === "monthlyBudgetUsd" || key.endsWith("Usd")) return `$${v}`;
  if (Array.isArray(v)) return v.length <= 3 ? v.map(String).join(", ") : `${v.length} items`;
  if (typeof v === "object") return JSON.stringify(v).slice(0, 80);
  const text = String(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v))
    : {};
}
