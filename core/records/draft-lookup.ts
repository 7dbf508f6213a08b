import type { Database, Platform } from "../db/client.ts";
import type { ArticleRequest } from "../domain.ts";
import { DeliveryStateSchema, readArticleRequest, readJson } from "./json.ts";

/** A draft a button refers to, as the platform that posted it may see it. */
export interface ScopedDraft {
  id: string;
  request: ArticleRequest;
  draft: string | null;
  /** The sink's saved state (thread ts, ...); the platform parses its own part. */
  deliveryState: Record<string, unknown>;
}

/**
 * The draft behind a button, only for the platform and tenant (Slack workspace, LINE channel)
 * it was written for: a button copied from elsewhere, or an id someone typed, finds nothing.
 */
export async function findScopedDraft(
  db: Database,
  scope: { platform: Platform; tenantExternalId: string },
  generationId: string | undefined,
): Promise<ScopedDraft | "gone" | "not_yours"> {
  if (!generationId || generationId.length > 64) return "gone";
  const g = await db.prisma.generation.findUnique({
    where: { id: generationId },
    select: {
      id: true,
      platform: true,
      request: true,
      draft: true,
      deliveryState: true,
      tenant: { select: { externalId: true } },
    },
  });
  if (g?.platform !== scope.platform) return "gone";
  if (g.tenant.externalId !== scope.tenantExternalId) return "not_yours";
  return {
    id: g.id,
    request: readArticleRequest(g.request),
    draft: g.draft,
    deliveryState: readDeliveryState(g.deliveryState),
  };
}

export function readDeliveryState(value: unknown): Record<string, unknown> {
  return readJson(DeliveryStateSchema, value ?? {}, "Generation.deliveryState");
}

/** A generation's saved delivery state, for a sink that checks it is still the current attempt. */
export async function deliveryStateOf(
  db: Database,
  generationId: string,
): Promise<Record<string, unknown> | null> {
  const g = await db.prisma.generation.findUnique({
    where: { id: generationId },
    select: { deliveryState: true },
  });
  return g ? readDeliveryState(g.deliveryState) : null;
}
