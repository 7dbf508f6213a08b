import { setTimeout as sleep } from "node:timers/promises";
import type { Database } from "../../core/db/client.ts";
import { readSlackDeliveryState } from "./delivery-state.ts";

/** Longest a revision waits for the closing blocks of the version it revises. */
const CLOSING_WAIT_MS = 30_000;

/**
 * The core lets a revision start once the version it revises is recorded DELIVERED, which is
 * just before that version's closing blocks are attached: wait for them (bounded), so the thread
 * never shows the new version above the old one's buttons. Delete this file once the core
 * releases a conversation's next turn only after `sink.finish` succeeded.
 */
export async function afterClosingOf(db: Database, generationId: string): Promise<void> {
  const deadline = Date.now() + CLOSING_WAIT_MS;
  while (Date.now() < deadline) {
    const previous = await db.prisma.generation.findUnique({
      where: { id: generationId },
      select: { status: true, deliveryState: true },
    });
    if (previous?.status !== "DELIVERED" || readSlackDeliveryState(previous.deliveryState ?? {}).closedTs)
      return;
    await sleep(100);
  }
}
