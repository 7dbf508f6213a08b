import type { Database } from "../../../core/db/client.ts";
import type { DraftVersion } from "../components/draft-versions.tsx";

/** Every version of a draft, oldest first; empty for a generation that is not part of one. */
export async function loadDraftVersions(db: Database, draftId: string | null): Promise<DraftVersion[]> {
  if (!draftId) return [];
  const rows = await db.prisma.generation.findMany({
    where: { draftId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      instruction: true,
      status: true,
      words: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      createdAt: true,
    },
  });
  return rows.map((r, i) => ({
    id: r.id,
    number: i + 1,
    instruction: r.instruction,
    status: r.status,
    words: r.words,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd.toString(),
    createdAt: r.createdAt.toISOString(),
  }));
}
