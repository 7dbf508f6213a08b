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
