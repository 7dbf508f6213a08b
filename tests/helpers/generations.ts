import type { Database } from "../../core/db/client.ts";
import { until } from "./wait.ts";

/**
 * A generation once it is final. The core records DELIVERED just after the sink's closing
 * message is accepted, so a test that saw the closing message waits a moment for the row too.
 */
export function finalGeneration(db: Database, requestKey: string) {
  return until(`the generation ${requestKey} to be final`, async () => {
    const g = await db.prisma.generation.findUniqueOrThrow({
      where: { requestKey },
      include: { requester: true, tenant: true },
    });
    return g.status === "QUEUED" || g.status === "RUNNING" ? null : g;
  });
}

/**
 * Every written draft whose end the sink accepted is recorded DELIVERED (the core does it just
 * after `sink.finish` returns): call after waiting on a sink's events, before reading statuses.
 */
export function allRecorded(db: Database) {
  return until("every closed draft to be recorded", async () => {
    const closing = await db.prisma.generation.count({
      where: { status: "RUNNING", finishedAt: { not: null } },
    });
    return closing === 0;
  });
}
