import type { Database, Platform } from "../db/client.ts";
import type { Destination } from "../deliver/sink.ts";
import type { ArticleRequest, Language } from "../domain.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { articleRequests, quotaRefusals } from "../metrics.ts";
import type { QuotaExceeded, Quotas } from "../quota/quotas.ts";
import type { Catalog, EventLookup } from "../records/catalog.ts";
import { estimateArticleCost } from "../records/cost.ts";
import { createGeneration, recordFailed, recordRefusal } from "../records/generations.ts";
import type { ResolvedRequester } from "../records/requesters.ts";
import { type Guidance, parseArticleRequest } from "../request/parse.ts";
import { detectLanguage } from "../text/language.ts";
import { dayColumn } from "../time.ts";

/** A person asked for an article, as the platform layer hands it over (after acknowledging). */
export interface ChatRequest {
  platform: Platform;
  /** The platform's id for this event (Slack event_id, LINE webhookEventId): one article per event. */
  eventId: string;
  tenant: { externalId: string; name?: string };
  requester: { externalId: string; displayName?: string };
  input: { kind: "text"; text: string } | { kind: "form"; form: Record<string, unknown> };
  destination: Destination;
  /** The conversation this request starts a draft in (core/conversation/keys.ts); none for one-offs. */
  conversationKey?: string;
  /**
   * The language the platform knows the person by (Slack's locale): our words use it when what
   * they typed has no letters to tell (an empty mention, a form's errors). What they type wins.
   */
  language?: Language;
}

export type AcceptResult =
  | {
      kind: "queued";
      generationId: string;
      /** The draft this generation is the first version of (null outside a conversation). */
      draftId: string | null;
      request: ArticleRequest;
      notes: string[];
    }
  | { kind: "duplicate"; generationId: string }
  | { kind: "guidance"; guidance: Guidance }
  | { kind: "refused"; refusal: QuotaExceeded; language: Language }
  | { kind: "blocked"; language: Language };

export interface AcceptDeps {
  db: Database;
  /** Requesters, tiers and prices, cached per catalog version (core/records/catalog.ts). */
  catalog: Catalog;
  quotas: Quotas;
  queue: JobQueue;
  timeZone: string;
  defaultModel: string;
}

/**
 * Everything between "a person asked" and "a job is queued": who they are, what they asked,
 * whether their tier allows it. Fast so the platform can answer at once: for a known requester
 * one read (duplicate check, catalog version and overall limits), the quota's reads, one write
 * and the enqueue. `known` is what the caller read already (a conversation reads both at once).
 */
export async function acceptRequest(
  deps: AcceptDeps,
  req: ChatRequest,
  now = new Date(),
  known?: { who: ResolvedRequester; seen: EventLookup },
): Promise<AcceptResult> {
  const seen = known?.seen ?? (await deps.catalog.lookupEvent(requestKey(req)));
  if (seen.existingId) return { kind: "duplicate", generationId: seen.existingId };

  const who = known?.who ?? (await deps.catalog.requester(seen.version, req));
  const textLanguage =
    req.input.kind === "text" && /\p{L}/u.test(req.input.text)
      ? detectLanguage(req.input.text)
      : (req.language ?? "en");
  if (who.blocked) return count(req, { kind: "blocked", language: textLanguage }, "blocked");

  const parsed = parseArticleRequest(
    req.input as never,
    { maxWords: who.tier.maxWords },
    req.language ? { language: req.language } : {},
  );
  if (!parsed.ok) return count(req, { kind: "guidance", guidance: parsed.guidance }, "guidance");
  const { request, notes } = parsed;

  const model = who.tier.allowedModel ?? deps.defaultModel;
  const estimate = await estimateArticleCost(deps.catalog, model, request.targetWords, request.language);
  const reserved = await deps.quotas.reserve(who.requesterId, who.tier, estimate, now, {
    tenant: who.tenantLimits,
    overall: seen.overall,
  });
  const day = dayColumn(now, deps.timeZone);
  if (!reserved.ok) {
    quotaRefusals.inc({ tier: who.tier.name, limit: reserved.refusal.limit });
    await recordRefusal(deps.db, {
      day,
      requesterId: who.requesterId,
      tenantId: who.tenantId,
      platform: req.platform,
      limit: reserved.refusal.limit,
      tier: who.tier.name,
    });
    return count(req, { kind: "refused", refusal: reserved.refusal, language: request.language }, "refused");
  }

  let created: Awaited<ReturnType<typeof createGeneration>>;
  try {
    created = await createGeneration(deps.db, {
      requestKey: requestKey(req),
      tenantId: who.tenantId,
      requesterId: who.requesterId,
      platform: req.platform,
      request,
      day,
      conversationKey: req.conversationKey,
      tierName: who.tier.name,
      rawText: req.input.kind === "text" ? req.input.text : null,
    });
  } catch (error) {
    await deps.quotas.release(reserved.reservation); // the database is failing: hold nothing back
    throw error;
  }
  if (created.duplicate) {
    // Two deliveries of one event raced past the first check: the other one owns the article.
    await deps.quotas.release(reserved.reservation);
    return { kind: "duplicate", generationId: created.id };
  }
  try {
    await deps.queue.enqueue({
      generationId: created.id,
      reservation: reserved.reservation,
      destination: req.destination,
      notes,
    });
  } catch (error) {
    await deps.quotas.release(reserved.reservation);
    await recordFailed(deps.db, created.id, {
      errorCode: "queue_unavailable",
      error: String(error),
      usage: [],
      latencyMs: Date.now() - now.getTime(),
    }).catch(() => undefined); // if the database is failing too, housekeeping fails the orphan later
    throw error;
  }
  return count(
    req,
    { kind: "queued", generationId: created.id, draftId: created.draftId, request, notes },
    "accepted",
  );
}

/** One article per platform event: the key its Generation is stored under. */
export function requestKey(req: Pick<ChatRequest, "platform" | "eventId">): string {
  return `${req.platform}:${req.eventId}`;
}

function count<T>(req: ChatRequest, result: T, outcome: string): T {
  articleRequests.inc({ platform: req.platform, outcome });
  return result;
}
