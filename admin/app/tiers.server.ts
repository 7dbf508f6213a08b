import { z } from "zod";
import { type Actor, audited, diff } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import type { Prisma, Tier } from "../../core/db/client.ts";
import { DEFAULT_TIER_BY_PLATFORM } from "../../core/records/requesters.ts";
import { LENGTH_LIMITS } from "../../core/request/rules.ts";
import { type FieldErrors, field } from "./lib/forms.server.ts";

/** Tiers as the console edits them. A saved edit moves the catalog version with it (audited), so
 * every process's cached copy reloads and the edit applies to the very next article; today's
 * count is kept (core/records/catalog.ts). */

export const CACHE_SCOPES = ["TENANT", "REQUESTER", "NONE"] as const;
export const LINE_PUSH_POLICIES = ["NEVER", "FALLBACK", "ALWAYS"] as const;

export const TierSchema = z.object({
  name: field
    .text("a name", 40)
    .pipe(
      z.string().regex(/^[\p{L}\p{N} ._-]+$/u, "Use letters, digits, spaces, dots, dashes or underscores."),
    ),
  description: field.optionalText("the description", 200),
  dailyArticleLimit: field.optionalWholeNumber("the daily limit", 1, 1_000_000),
  burstPerMinute: field.wholeNumber("the burst limit", 1, 10_000),
  maxWords: field.wholeNumber("the maximum length", LENGTH_LIMITS.minWords, 10_000),
  monthlyBudgetUsd: field.decimal("the monthly budget", 2, 1_000_000, { optional: true }),
  allowedModel: field
    .optionalText("the model", 100)
    .pipe(
      z
        .string()
        .regex(
          /^[A-Za-z0-9._:/-]*$/,
          "A model id has no spaces, like gpt-4o-mini or ft:gpt-4o-mini:acme::id.",
        ),
    ),
  cacheScope: field.choice(CACHE_SCOPES, "Choose who may reuse cached drafts."),
  // Blank keeps what the tier has (3 for a new one), so forms and scripts from before still work.
  revisionsPerDraft: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v),
    z
      .string()
      .regex(/^\d{1,4}$/, "Enter the revisions per draft as a whole number from 0 to 1000.")
      .transform(Number)
      .pipe(z.number().max(1_000, "Enter the revisions per draft as a whole number from 0 to 1000."))
      .optional(),
  ),
  // Blank keeps what the tier has (FALLBACK for a new one), like the revisions above.
  linePushPolicy: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z.enum(LINE_PUSH_POLICIES, "Choose when a LINE draft may be pushed.").optional(),
  ),
});
export type TierInput = z.output<typeof TierSchema>;

/** Names new workspaces are created with (core/records/requesters.ts looks them up by name). */
export const PROTECTED_TIER_NAMES = new Set(Object.values(DEFAULT_TIER_BY_PLATFORM));

export function tierView(t: Tier) {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    dailyArticleLimit: t.dailyArticleLimit,
    burstPerMinute: t.burstPerMinute,
    maxWords: t.maxWords,
    monthlyBudgetUsd: t.monthlyBudgetUsd?.toFixed(2) ?? null,
    allowedModel: t.allowedModel,
    cacheScope: t.cacheScope,
    revisionsPerDraft: t.revisionsPerDraft,
    linePushPolicy: t.linePushPolicy,
    retiredAt: t.retiredAt?.toISOString() ?? null,
    updatedAt: t.updatedAt.toISOString(),
  };
}
export type TierView = ReturnType<typeof tierView>;

/** What an audit row shows of a tier: its editable fields, in plain JSON. */
function auditFields(t: Pick<Tier, keyof TierInput>): Record<string, unknown> {
  return {
    name: t.name,
    description: t.description,
    dailyArticleLimit: t.dailyArticleLimit,
    burstPerMinute: t.burstPerMinute,
    maxWords: t.maxWords,
    monthlyBudgetUsd: t.monthlyBudgetUsd === null ? null : Number(t.monthlyBudgetUsd).toFixed(2),
    allowedModel: t.allowedModel,
    cacheScope: t.cacheScope,
    revisionsPerDraft: t.revisionsPerDraft,
    linePushPolicy: t.linePushPolicy,
  };
}

function toData(input: TierInput): Prisma.TierUncheckedCreateInput {
  return { ...input, allowedModel: input.allowedModel || null, monthlyBudgetUsd: input.monthlyBudgetUsd };
}

/** Requesters on each tier: set on the requester, or inherited from their workspace's default. */
export async function tierUsage(app: AppContext) {
  const p = app.db.prisma;
  const [direct, inherited, workspaces] = await Promise.all([
    p.requester.groupBy({ by: ["tierId"], where: { tierId: { not: null } }, _count: { _all: true } }),
    p.$queryRaw<Array<{ tierId: string; count: number }>>`
      SELECT t."defaultTierId" AS "tierId", COUNT(*)::float8 AS count FROM "Requester" r JOIN "Tenant" t ON t."id" = r."tenantId"
      WHERE r."tierId" IS NULL GROUP BY t."defaultTierId"`,
    p.tenant.groupBy({ by: ["defaultTierId"], _count: { _all: true } }),
  ]);
  const usage = new Map<string, { direct: number; inherited: number; workspaces: number }>();
  const get = (id: string) => {
    const counts = usage.get(id) ?? { direct: 0, inherited: 0, workspaces: 0 };
    usage.set(id, counts);
    return counts;
  };
  for (const d of direct) if (d.tierId) get(d.tierId).direct = d._count._all;
  for (const i of inherited) get(i.tierId).inherited = Number(i.count);
  for (const w of workspaces) get(w.defaultTierId).workspaces = w._count._all;
  return usage;
}

async function nameTaken(tx: Prisma.TransactionClient, name: string, exceptId?: string): Promise<boolean> {
  const found = await tx.tier.findFirst({
    where: { name: { equals: name, mode: "insensitive" }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  return Boolean(found);
}

export type TierChange =
  | { ok: true; tier: Tier | null }
  | { ok: false; fieldErrors?: FieldErrors; formError?: string };

export async function createTier(app: AppContext, actor: Actor, input: TierInput): Promise<TierChange> {
  return audited<TierChange>(app.db, actor, async (tx) => {
    if (await nameTaken(tx, input.name))
      return {
        audit: null,
        value: { ok: false, fieldErrors: { name: `A tier named "${input.name}" already exists.` } },
      };
    const tier = await tx.tier.create({ data: toData(input) });
    return {
      audit: { action: "tier.create", entityType: "Tier", entityId: tier.id, after: auditFields(tier) },
      value: { ok: true, tier },
    };
  });
}

export async function updateTier(
  app: AppContext,
  actor: Actor,
  id: string,
  input: TierInput,
): Promise<TierChange> {
  return audited<TierChange>(app.db, actor, async (tx) => {
    const before = await tx.tier.findUnique({ where: { id } });
    if (!before) return { audit: null, value: { ok: false, formError: "This tier no longer exists." } };
    if (before.name !== input.name && PROTECTED_TIER_NAMES.has(before.name))
      return {
        audit: null,
        value: {
          ok: false,
          fieldErrors: { name: `New workspaces start on "${before.name}" by name, so it cannot be renamed.` },
        },
      };
    if (await nameTaken(tx, input.name, id))
      return {
        audit: null,
        value: { ok: false, fieldErrors: { name: `A tier named "${input.name}" already exists.` } },
      };
    const changed = diff(
      auditFields(before),
      auditFields({
        ...input,
        allowedModel: input.allowedModel || null,
        revisionsPerDraft: input.revisionsPerDraft ?? before.revisionsPerDraft,
        linePushPolicy: input.linePushPolicy ?? before.linePushPolicy,
      } as never),
    );
    if (!changed) return { audit: null, value: { ok: true, tier: null } };
    const tier = await tx.tier.update({ where: { id }, data: toData(input) });
    return {
      audit: { action: "tier.update", entityType: "Tier", entityId: id, ...changed },
      value: { ok: true, tier },
    };
  });
}

/** Retiring hides a tier from pickers; it is refused while anyone is still on it. */
export async function setTierRetired(
  app: AppContext,
  actor: Actor,
  id: string,
  retired: boolean,
): Promise<TierChange> {
  return audited<TierChange>(app.db, actor, async (tx) => {
    const before = await tx.tier.findUnique({ where: { id } });
    if (!before) return { audit: null, value: { ok: false, formError: "This tier no longer exists." } };
    if (Boolean(before.retiredAt) === retired) return { audit: null, value: { ok: true, tier: null } };
    if (retired) {
      if (PROTECTED_TIER_NAMES.has(before.name))
        return {
          audit: null,
          value: {
            ok: false,
            formError: `New workspaces start on "${before.name}", so it cannot be retired.`,
          },
        };
      const [requesters, workspaces] = await Promise.all([
        tx.requester.count({ where: { tierId: id } }),
        tx.tenant.count({ where: { defaultTierId: id } }),
      ]);
      if (requesters || workspaces)
        return {
          audit: null,
          value: {
            ok: false,
            formError: `Move its ${requesters} requester${requesters === 1 ? "" : "s"} and ${workspaces} workspace${workspaces === 1 ? "" : "s"} to another tier first, then retire it.`,
          },
        };
    }
    const tier = await tx.tier.update({ where: { id }, data: { retiredAt: retired ? new Date() : null } });
    return {
      audit: {
        action: retired ? "tier.retire" : "tier.restore",
        entityType: "Tier",
        entityId: id,
        before: { retiredAt: before.retiredAt },
        after: { retiredAt: tier.retiredAt },
      },
      value: { ok: true, tier },
    };
  });
}

/** Model ids the price table knows, for the tier form's suggestions. */
export async function knownModels(app: AppContext): Promise<string[]> {
  const rows = await app.db.prisma.modelPrice.findMany({
    select: { model: true },
    orderBy: { model: "asc" },
  });
  return rows.map((r) => r.model).filter((m) => !m.startsWith("text-embedding"));
}
