import type { Database, Tier } from "../db/client.ts";
import type { Language } from "../domain.ts";
import type { Quotas } from "../quota/quotas.ts";
import { readArticleRequest } from "../records/json.ts";
import { type RequesterRef, resolveRequester } from "../records/requesters.ts";
import { type ConversationRef, conversationRefOf } from "./keys.ts";

/**
 * What a person sees on a platform's home surface (Slack's App Home): the same usage numbers as
 * the answer to "how many do I have left?", and their latest drafts with where they live.
 */

export interface UsageNow {
  today: { used: number; limit: number | null; resetsAt: Date };
  month: { spentUsd: number; budgetUsd: number | null; resetsAt: Date };
}

export interface RecentDraft {
  draftId: string;
  topic: string;
  language: Language;
  /** The newest version's state: being written, done, failed or stopped. */
  status: "QUEUED" | "RUNNING" | "DELIVERED" | "FAILED" | "CANCELLED";
  words: number | null;
  /** Where the draft is (a Slack thread), when it has been posted somewhere. */
  conversation: ConversationRef | null;
  updatedAt: Date;
}

export interface Overview extends UsageNow {
  tier: string;
  recent: RecentDraft[];
}

/** Today's articles and this month's spend against the tier: one definition for every answer. */
export async function usageNow(
  quotas: Quotas,
  who: { requesterId: string; tier: Tier },
  now: Date,
): Promise<UsageNow> {
  const usage = await quotas.usage(who.requesterId, who.tier, now);
  return {
    today: { used: usage.today.used, limit: usage.today.limit, resetsAt: usage.today.resetsAt },
    month: usage.month,
  };
}

export async function overview(
  deps: { db: Database; quotas: Quotas },
  ref: RequesterRef,
  opts: { now?: Date; recent?: number } = {},
): Promise<Overview> {
  const now = opts.now ?? new Date();
  const who = await resolveRequester(deps.db, ref);
  const drafts = await deps.db.prisma.draft.findMany({
    where: { requesterId: who.requesterId },
    orderBy: { updatedAt: "desc" },
    take: opts.recent ?? 5,
    select: {
      id: true,
      conversationKey: true,
      request: true,
      updatedAt: true,
      versions: {
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: 1,
        select: { status: true, words: true, topic: true },
      },
    },
  });
  const recent = drafts.map((d): RecentDraft => {
    const original = readArticleRequest(d.request);
    const latest = d.versions[0];
    return {
      draftId: d.id,
      topic: latest?.topic ?? original.topic,
      language: original.language,
      status: latest?.status ?? "QUEUED",
      words: latest?.status === "DELIVERED" ? latest.words : null,
      conversation: conversationRefOf(d.conversationKey),
      updatedAt: d.updatedAt,
    };
  });
  return { ...(await usageNow(deps.quotas, who, now)), tier: who.tier.name, recent };
}
