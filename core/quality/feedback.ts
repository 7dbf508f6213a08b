import type { Database, Platform } from "../db/client.ts";
import { articleFeedback } from "../metrics.ts";

/**
 * People's 👍/👎 on drafts. One vote per person per draft: voting again changes the vote and
 * moves the generation's counters, so a person who changes their mind is counted once, under
 * their latest opinion. A comment belongs to a 👎 only (what was wrong).
 */

export type Vote = "UP" | "DOWN";

export interface CastVote {
  generationId: string;
  platform: Platform;
  /** The voter's id on that platform (Slack user id, LINE user id, console admin id). */
  voterId: string;
  vote: Vote;
  comment?: string | null;
}

export interface VoteResult {
  /** "new": first vote; "changed": the other way than before; "same": counters unchanged. */
  outcome: "new" | "changed" | "same";
  up: number;
  down: number;
}

export const MAX_COMMENT_CHARS = 1_000;

export class UnknownDraft extends Error {
  override readonly name = "UnknownDraft";
}

export async function castVote(db: Database, v: CastVote): Promise<VoteResult> {
  const comment = v.vote === "DOWN" ? v.comment?.trim().slice(0, MAX_COMMENT_CHARS) || null : null;
  const result = await db.prisma.$transaction(async (tx) => {
    // Lock the generation row: two clicks of the same person land one after the other.
    const locked = await tx.$queryRaw<Array<{ id: string }>>`
      SELECT "id" FROM "Generation" WHERE "id" = ${v.generationId} FOR UPDATE`;
    if (!locked.length) throw new UnknownDraft(v.generationId);
    const key = { generationId: v.generationId, platform: v.platform, voterId: v.voterId };
    const before = await tx.draftFeedback.findUnique({
      where: { generationId_platform_voterId: key },
    });
    let outcome: VoteResult["outcome"];
    if (!before) {
      await tx.draftFeedback.create({ data: { ...key, vote: v.vote, comment } });
      await tx.generation.update({
        where: { id: v.generationId },
        data: v.vote === "UP" ? { votesUp: { increment: 1 } } : { votesDown: { increment: 1 } },
      });
      outcome = "new";
    } else if (before.vote !== v.vote) {
      await tx.draftFeedback.update({ where: { id: before.id }, data: { vote: v.vote, comment } });
      await tx.generation.update({
        where: { id: v.generationId },
        data:
          v.vote === "UP"
            ? { votesUp: { increment: 1 }, votesDown: { decrement: 1 } }
            : { votesDown: { increment: 1 }, votesUp: { decrement: 1 } },
      });
      outcome = "changed";
    } else {
      // The same vote again: only a 👎's comment can change (a double click changes nothing).
      if (v.vote === "DOWN" && comment && comment !== before.comment)
        await tx.draftFeedback.update({ where: { id: before.id }, data: { comment } });
      outcome = "same";
    }
    const g = await tx.generation.findUniqueOrThrow({
      where: { id: v.generationId },
      select: { votesUp: true, votesDown: true },
    });
    return { outcome, up: g.votesUp, down: g.votesDown };
  });
  if (result.outcome !== "same") articleFeedback.inc({ vote: v.vote.toLowerCase() });
  return result;
}

/** Takes a person's vote back (an "undo"), so they count nowhere. */
export async function withdrawVote(
  db: Database,
  v: Pick<CastVote, "generationId" | "platform" | "voterId">,
): Promise<boolean> {
  return db.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Generation" WHERE "id" = ${v.generationId} FOR UPDATE`;
    const before = await tx.draftFeedback.findUnique({ where: { generationId_platform_voterId: v } });
    if (!before) return false;
    await tx.draftFeedback.delete({ where: { id: before.id } });
    await tx.generation.update({
      where: { id: v.generationId },
      data: before.vote === "UP" ? { votesUp: { decrement: 1 } } : { votesDown: { decrement: 1 } },
    });
    return true;
  });
}

/** Every vote on one draft, newest first (the console's generation page). */
export async function feedbackFor(db: Database, generationId: string) {
  return db.prisma.draftFeedback.findMany({
    where: { generationId },
    orderBy: { updatedAt: "desc" },
    select: { platform: true, voterId: true, vote: true, comment: true, updatedAt: true },
  });
}
