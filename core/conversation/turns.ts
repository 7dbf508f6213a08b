import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "../db/client.ts";

export interface TurnOptions {
  /** Told once, when the generation has to wait, with how many are ahead of it. */
  onWait?: (ahead: number) => Promise<void>;
  /** Gives up waiting (returns false) when this says so, e.g. the person asked to stop. */
  stopped?: () => boolean | Promise<boolean>;
  pollMs?: number;
  /**
   * A generation ahead that never finishes (its job was lost) must not hold the conversation
   * forever: after this long the waiter goes anyway. Housekeeping fails such orphans too.
   */
  maxWaitMs?: number;
}

/**
 * One draft at a time per conversation: waits until every earlier generation in the same
 * conversation (by creation time, then id) is final. The order lives in the database, so it
 * holds across worker processes and in the embedded profile alike, and a worker that dies
 * mid-draft keeps its place (its job resumes) instead of letting the next one interleave.
 * Returns false when it stopped waiting because `stopped` said so.
 */
export async function waitTurn(
  db: Database,
  g: { id: string; createdAt: Date; draftOf: { conversationKey: string } | null },
  opts: TurnOptions = {},
): Promise<boolean> {
  // The caller reads the conversation with the generation: one round trip fewer per job.
  if (!g.draftOf) return true;
  const { conversationKey } = g.draftOf;
  const deadline = Date.now() + (opts.maxWaitMs ?? 15 * 60_000);
  let told = false;
  for (;;) {
    const ahead = await db.prisma.generation.count({
      where: {
        id: { not: g.id },
        status: { in: ["QUEUED", "RUNNING"] },
        draftOf: { conversationKey },
        OR: [{ createdAt: { lt: g.createdAt } }, { createdAt: g.createdAt, id: { lt: g.id } }],
      },
    });
    if (ahead === 0 || Date.now() > deadline) return true;
    if (await opts.stopped?.()) return false;
    if (!told) {
      told = true;
      await opts.onWait?.(ahead).catch(() => undefined);
    }
    await sleep(opts.pollMs ?? 250);
  }
}
