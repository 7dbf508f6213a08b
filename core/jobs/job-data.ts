import { z } from "zod";
import { REVISION_KINDS } from "../domain.ts";
import type { ArticleJob } from "./queue.ts";

/** An ArticleJob read back from storage (a QueuedJob row): checked, never cast. */
const articleJob = z.object({
  generationId: z.string().min(1),
  reservation: z
    .object({
      requesterId: z.string(),
      day: z.string(),
      month: z.string(),
      budgetMicros: z.number(),
      slot: z.boolean().optional(),
      held: z.array(z.tuple([z.enum(["day", "budget"]), z.string(), z.number()])).optional(),
    })
    .nullable(),
  destination: z.looseObject({ platform: z.enum(["SLACK", "LINE", "CONSOLE"]) }),
  notes: z.array(z.string()).optional(),
  revision: z.object({ kind: z.enum(REVISION_KINDS) }).optional(),
});

export function parseArticleJob(value: unknown): ArticleJob | null {
  const parsed = articleJob.safeParse(value);
  return parsed.success ? parsed.data : null;
}
