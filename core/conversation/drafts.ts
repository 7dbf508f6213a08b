import { z } from "zod";
import type { Database, Platform } from "../db/client.ts";
import type { ArticleRequest } from "../domain.ts";
import { readArticleRequest } from "../records/json.ts";
import { type ConversationRef, conversationKey, DEFAULT_LINE_WINDOW_MS } from "./keys.ts";

/** A conversation's draft and the version a revision would start from. */
export interface CurrentDraft {
  draftId: string;
  conversationKey: string;
  /** Revisions accepted so far (against the tier's revisionsPerDraft). */
  revisions: number;
  original: ArticleRequest;
  /**
   * The version a revision starts from: the newest one delivered or still being written, or
   * the version whose button was clicked (buttons act on the draft they sit under).
   */
  base: {
    generationId: string;
    status: "QUEUED" | "RUNNING" | "DELIVERED";
    request: ArticleRequest;
    /** Words delivered; null while it is being written. */
    words: number | null;
  };
}

export interface FindOptions {
  now?: Date;
  /** LINE: how long after its latest version a draft stays current. */
  lineWindowMs?: number;
}

/** A conversation as a message finds it: its current draft, and how many versions are being written. */
export interface ConversationState {
  current: CurrentDraft | null;
  /** Generations of this conversation queued or being written now (the message waits behind them). */
  ahead: number;
}

const DraftRow = z.object({
  id: z.string().nullable(),
  conversationKey: z.string().nullable(),
  revisions: z.number().int().nullable(),
  request: z.unknown(),
  ahead: z.number().int(),
});

/**
 * The draft a message in this conversation is about, or null, and what is in flight in it (one
 * statement; a quoted bubble costs one more read). Slack: the thread's latest draft. LINE: the
 * draft whose bubble was quoted, else the chat's latest draft within the window. A draft whose
 * every version failed or was stopped has nothing to revise.
 */
export async function conversationState(
  db: Database,
  ref: ConversationRef,
  opts: FindOptions = {},
): Promise<ConversationState> {
  const key = conversationKey(ref);
  const now = opts.now ?? new Date();
  let draftId: string | null = null;
  if (ref.platform === "LINE" && ref.quotedMessageId) {
    const quoted = await db.prisma.draftMessage.findUnique({
      where: { platform_messageId: { platform: "LINE", messageId: ref.quotedMessageId } },
      select: { draft: { select: { id: true, conversationKey: true } } },
    });
    if (quoted?.draft.conversationKey === key) draftId = quoted.draft.id;
  }
  // Slack's threads have no window: any draft of the thread is current.
  const windowStart =
    ref.platform === "LINE" ? new Date(now.getTime() - (opts.lineWindowMs ?? DEFAULT_LINE_WINDOW_MS)) : null;
  const rows = await db.prisma.$queryRaw<unknown[]>`
    SELECT d."id", d."conversationKey", d."revisions", d."request",
      (SELECT count(*)::int FROM "Generation" g JOIN "Draft" dd ON dd."id" = g."draftId"
       WHERE dd."conversationKey" = ${key} AND g."status" IN ('QUEUED', 'RUNNING')) AS "ahead"
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (
      SELECT "id", "conversationKey", "revisions", "request" FROM "Draft"
      WHERE CASE WHEN ${draftId}::text IS NOT NULL THEN "id" = ${draftId}::text
        ELSE "conversationKey" = ${key} AND (${windowStart}::timestamp IS NULL OR "updatedAt" >= ${windowStart}::timestamp) END
      ORDER BY "updatedAt" DESC LIMIT 1
    ) AS d ON true`;
  const row = DraftRow.parse(rows[0]);
  const draft =
    row.id !== null && row.conversationKey !== null && row.revisions !== null
      ? { id: row.id, conversationKey: row.conversationKey, revisions: row.revisions, request: row.request }
      : null;
  return { current: draft ? await withBaseVersion(db, draft) : null, ahead: row.ahead };
}

/**
 * The draft a generation (a button under it) belongs to, based on that very version when it was
 * delivered: "Shorter" under v1 shortens v1, even after a typed revision made v2.
 */
export async function draftOfGeneration(db: Database, generationId: string): Promise<CurrentDraft | null> {
  const g = await db.prisma.generation.findUnique({
    where: { id: generationId },
    select: { draftOf: true, status: true },
  });
  if (!g?.draftOf) return null;
  return withBaseVersion(db, g.draftOf, g.status === "DELIVERED" ? generationId : undefined);
}

async function withBaseVersion(
  db: Database,
  draft: { id: string; conversationKey: string; revisions: number; request: unknown },
  versionId?: string,
): Promise<CurrentDraft | null> {
  const latest = await db.prisma.generation.findFirst({
    where: {
      draftId: draft.id,
      ...(versionId ? { id: versionId } : {}),
      status: { in: ["QUEUED", "RUNNING", "DELIVERED"] },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, status: true, request: true, words: true },
  });
  if (!latest || latest.status === "FAILED" || latest.status === "CANCELLED") return null;
  return {
    draftId: draft.id,
    conversationKey: draft.conversationKey,
    revisions: draft.revisions,
    original: readArticleRequest(draft.request),
    base: {
      generationId: latest.id,
      status: latest.status,
      request: readArticleRequest(latest.request),
      words: latest.status === "DELIVERED" ? latest.words : null,
    },
  };
}

/** Generations still being written (or waiting to be) in a conversation, oldest first. */
export async function inFlight(db: Database, key: string): Promise<{ id: string; status: string }[]> {
  return db.prisma.generation.findMany({
    where: { status: { in: ["QUEUED", "RUNNING"] }, draftOf: { conversationKey: key } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, status: true },
  });
}

/**
 * The platform posted these messages for a version (LINE bubble ids): quoting any of them
 * later finds this draft. Idempotent, so a retried delivery may report them again.
 */
export async function recordDraftMessages(
  db: Database,
  generationId: string,
  platform: Platform,
  messageIds: string[],
): Promise<void> {
  const g = await db.prisma.generation.findUnique({ where: { id: generationId }, select: { draftId: true } });
  if (!g?.draftId || !messageIds.length) return;
  await db.prisma.draftMessage.createMany({
    data: messageIds.map((messageId) => ({ platform, messageId, draftId: g.draftId!, generationId })),
    skipDuplicates: true,
  });
}

/**
 * The platform knows a draft's thread only once it posted there (a Slack mention outside a
 * thread starts one under the bot's parent message): from then on that is the conversation,
 * so a reply in it finds this draft. Only the draft's first version moves it.
 */
export async function moveDraftConversation(
  db: Database,
  generationId: string,
  ref: ConversationRef,
): Promise<void> {
  const g = await db.prisma.generation.findUnique({
    where: { id: generationId },
    select: { draftId: true, revisesId: true },
  });
  if (!g?.draftId || g.revisesId !== null) return;
  await db.prisma.draft.update({ where: { id: g.draftId }, data: { conversationKey: conversationKey(ref) } });
}
