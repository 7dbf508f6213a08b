import type { Database, Platform, Tier } from "../db/client.ts";
import type { Destination } from "../deliver/sink.ts";
import type { ArticleRequest, Language } from "../domain.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { quotaRefusals } from "../metrics.ts";
import type { TenantLimits } from "../quota/caps.ts";
import type { QuotaExceeded, Quotas } from "../quota/quotas.ts";
import { estimateArticleCost } from "../records/cost.ts";
import { createGeneration, recordFailed, recordRefusal } from "../records/generations.ts";
import { LENGTH_LIMITS, nextTone, shorterTarget } from "../request/rules.ts";
import { dayColumn } from "../time.ts";
import type { CurrentDraft } from "./drafts.ts";
import type { RevisionPlan } from "./intent.ts";

/** The draft's revisions-per-draft allowance is used up; a new article starts a new allowance. */
export interface RevisionsExhausted {
  limit: "revisions";
  tier: string;
  used: number;
  max: number;
}

export type RevisionAccepted =
  | {
      kind: "queued_revision";
      generationId: string;
      draftId: string;
      revisesId: string;
      request: ArticleRequest;
      plan: RevisionPlan;
    }
  | { kind: "duplicate"; generationId: string }
  | { kind: "refused"; refusal: QuotaExceeded | RevisionsExhausted; language: Language };

export interface ReviseDeps {
  db: Database;
  quotas: Quotas;
  queue: JobQueue;
  timeZone: string;
  defaultModel: string;
}

export interface RevisionRequest {
  requestKey: string;
  who: { requesterId: string; tenantId: string; tier: Tier; tenantLimits?: TenantLimits };
  platform: Platform;
  destination: Destination;
  draft: CurrentDraft;
  plan: RevisionPlan;
}

/** The version's constraints after the plan: the shared rules decide "shorter" and the next tone. */
export function revisedRequest(
  base: ArticleRequest,
  words: number,
  plan: RevisionPlan,
  maxWords: number,
): ArticleRequest {
  const cap = (n: number) =>
    Math.min(maxWords, LENGTH_LIMITS.maxWords, Math.max(LENGTH_LIMITS.minWords, Math.round(n)));
  const targetWords =
    plan.targetWords === "shorter"
      ? shorterTarget(words)
      : plan.targetWords === "longer"
        ? cap(Math.round((words * 1.5) / 50) * 50)
        : typeof plan.targetWords === "number"
          ? cap(plan.targetWords)
          : base.targetWords;
  const tone = plan.tone === "next" ? nextTone(base.tone) : (plan.tone ?? base.tone);
  const language =
    plan.language === "other" ? (base.language === "en" ? "th" : "en") : (plan.language ?? base.language);
  return { ...base, targetWords, tone, language, audience: plan.audience ?? base.audience };
}

/**
 * Queues a new version of the current draft. No article slot: the tier's revisions-per-draft
 * allowance (taken atomically on the draft row) and the monthly budget (reserved like an
 * article, settled to the real tokens) apply instead, with the burst limit.
 */
export async function acceptRevision(
  deps: ReviseDeps,
  r: RevisionRequest,
  notes: string[],
  now = new Date(),
): Promise<RevisionAccepted> {
  const existing = await deps.db.prisma.generation.findUnique({
    where: { requestKey: r.requestKey },
    select: { id: true },
  });
  if (existing) return { kind: "duplicate", generationId: existing.id };

  const base = r.draft.base;
  const request = revisedRequest(
    base.request,
    base.words ?? base.request.targetWords,
    r.plan,
    r.who.tier.maxWords,
  );
  const max = r.who.tier.revisionsPerDraft;
  const took = await deps.db.prisma.draft.updateMany({
    where: { id: r.draft.draftId, revisions: { lt: max } },
    data: { revisions: { increment: 1 } },
  });
  const day = dayColumn(now, deps.timeZone);
  const refuse = async (refusal: QuotaExceeded | RevisionsExhausted) => {
    quotaRefusals.inc({ tier: r.who.tier.name, limit: refusal.limit });
    await recordRefusal(deps.db, {
      day,
      requesterId: r.who.requesterId,
      tenantId: r.who.tenantId,
      platform: r.platform,
      limit: refusal.limit,
      tier: r.who.tier.name,
    });
    return { kind: "refused" as const, refusal, language: request.language };
  };
  if (took.count === 0)
    return refuse({ limit: "revisions", tier: r.who.tier.name, used: Math.min(r.draft.revisions, max), max });
  const giveBack = () =>
    deps.db.prisma.draft.updateMany({
      where: { id: r.draft.draftId, revisions: { gt: 0 } },
      data: { revisions: { decrement: 1 } },
    });

  const model = r.who.tier.allowedModel ?? deps.defaultModel;
  // The prompt carries the current version too: about as many tokens again as its words.
  const estimate = await estimateArticleCost(
    deps.db,
    model,
    request.targetWords + (base.words ?? 0),
    request.language,
  );
  const reserved = await deps.quotas.reserve(r.who.requesterId, r.who.tier, estimate, now, {
    articleSlot: false,
    tenant: r.who.tenantLimits,
  });
  if (!reserved.ok) {
    await giveBack();
    return refuse(reserved.refusal);
  }
  let created: { id: string; duplicate: boolean };
  try {
    created = await createGeneration(deps.db, {
      requestKey: r.requestKey,
      tenantId: r.who.tenantId,
      requesterId: r.who.requesterId,
      platform: r.platform,
      request,
      day,
      revision: { draftId: r.draft.draftId, revisesId: base.generationId, instruction: r.plan.instruction },
      tierName: r.who.tier.name,
    });
  } catch (error) {
    await Promise.all([deps.quotas.release(reserved.reservation), giveBack()]);
    throw error;
  }
  if (created.duplicate) {
    await Promise.all([deps.quotas.release(reserved.reservation), giveBack()]);
    return { kind: "duplicate", generationId: created.id };
  }
  try {
    await deps.queue.enqueue({
      generationId: created.id,
      reservation: reserved.reservation,
      destination: r.destination,
      notes,
      revision: { kind: r.plan.kind },
    });
  } catch (error) {
    await Promise.all([deps.quotas.release(reserved.reservation), giveBack()]);
    await recordFailed(deps.db, created.id, {
      errorCode: "queue_unavailable",
      error: String(error),
      usage: [],
      latencyMs: Date.now() - now.getTime(),
    }).catch(() => undefined);
    throw error;
  }
  return {
    kind: "queued_revision",
    generationId: created.id,
    draftId: r.draft.draftId,
    revisesId: base.generationId,
    request,
    plan: r.plan,
  };
}
