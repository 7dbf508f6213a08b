import type { Database } from "../db/client.ts";
import { type ChatSink, tellStopped } from "../deliver/sink.ts";
import type { ArticleJob } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import * as metrics from "../metrics.ts";
import type { Quotas } from "../quota/quotas.ts";
import type { TokenUse } from "../records/cost.ts";
import { recordStopped } from "../records/generations.ts";
import { readArticleRequest } from "../records/json.ts";

/**
 * What a revision job needs beside the article run: the text of the version it revises, and
 * how a stopped or failed version gives back what it took.
 */

/**
 * The newest delivered text on the line this version revises: normally the version named by
 * `revisesId`; if that one failed or was stopped, the one it revised, and so on.
 */
export async function revisedText(db: Database, revisesId: string): Promise<string | null> {
  let id: string | null = revisesId;
  for (let depth = 0; id && depth < 100; depth++) {
    const g: { status: string; draft: string | null; revisesId: string | null } | null =
      await db.prisma.generation.findUnique({
        where: { id },
        select: { status: true, draft: true, revisesId: true },
      });
    if (!g) return null;
    if (g.status === "DELIVERED" && g.draft) return g.draft;
    id = g.revisesId;
  }
  return null;
}

export async function isStopRequested(db: Database, generationId: string): Promise<boolean> {
  const g = await db.prisma.generation.findUnique({
    where: { id: generationId },
    select: { stopRequestedAt: true },
  });
  return Boolean(g?.stopRequestedAt);
}

/** A revision that failed or stopped does not count against the draft's allowance. */
export async function giveBackRevision(db: Database, generationId: string): Promise<void> {
  const g = await db.prisma.generation.findUnique({
    where: { id: generationId },
    select: { draftId: true, revisesId: true },
  });
  if (!g?.draftId || !g.revisesId) return;
  await db.prisma.draft.updateMany({
    where: { id: g.draftId, revisions: { gt: 0 } },
    data: { revisions: { decrement: 1 } },
  });
}

/**
 * Finalizes a stopped generation once (a retried job finds it final and does nothing): the
 * tokens already spent are recorded, the article slot (or revision) is given back, and the
 * sink marks what it posted as stopped.
 */
export async function stopGeneration(
  deps: { db: Database; quotas: Quotas; logger: Logger },
  job: ArticleJob,
  usage: TokenUse[],
  sink: ChatSink,
  chunksDelivered: number,
): Promise<void> {
  const g = await deps.db.prisma.generation.findUniqueOrThrow({ where: { id: job.generationId } });
  const first = await recordStopped(deps.db, g.id, {
    usage,
    latencyMs: Date.now() - g.createdAt.getTime(),
  });
  if (!first) return;
  if (job.reservation) await deps.quotas.release(job.reservation);
  await giveBackRevision(deps.db, g.id);
  for (const u of usage)
    metrics.tokensUsed.inc(
      { model: u.model, operation: u.operation.toLowerCase() },
      u.inputTokens + u.outputTokens,
    );
  await tellStopped(sink, {
    generationId: g.id,
    request: readArticleRequest(g.request),
    chunksDelivered,
    refunded: job.reservation !== null,
  }).catch((err) => deps.logger.warn({ err, generationId: g.id }, "could not mark a stopped draft"));
}
