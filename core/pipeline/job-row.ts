import { z } from "zod";
import type { Database, Tier } from "../db/client.ts";
import { CacheScope, GenerationStatus, LinePushPolicy, Platform } from "../db/generated/enums.ts";

const JobRowSchema = z.object({
  id: z.string(),
  status: z.enum(GenerationStatus),
  platform: z.enum(Platform),
  tenantId: z.string(),
  requesterId: z.string(),
  /** JSON columns, read with their schemas where they are used (core/records/json.ts). */
  request: z.unknown(),
  sources: z.unknown(),
  deliveryState: z.unknown(),
  draft: z.string().nullable(),
  words: z.number().int().nullable(),
  model: z.string().nullable(),
  cacheHit: z.boolean(),
  cacheEntryId: z.string().nullable(),
  chunksDelivered: z.number().int(),
  revisesId: z.string().nullable(),
  instruction: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  /** The draft's conversation, for the turn (null outside a conversation). */
  conversationKey: z.string().nullable(),
  tierMaxWords: z.number().int(),
  tierAllowedModel: z.string().nullable(),
  tierCacheScope: z.enum(CacheScope),
  tierLinePushPolicy: z.enum(LinePushPolicy),
});

/** What a job uses of its requester's tier (the requester's own, else the workspace's default). */
export type JobTier = Pick<Tier, "maxWords" | "allowedModel" | "cacheScope" | "linePushPolicy">;

export type JobRow = Omit<
  z.infer<typeof JobRowSchema>,
  "conversationKey" | "tierMaxWords" | "tierAllowedModel" | "tierCacheScope" | "tierLinePushPolicy"
> & {
  draftOf: { conversationKey: string } | null;
  tier: JobTier;
};

/**
 * A job's generation with its effective tier and its conversation, in one round trip. Prisma's
 * include loaded them one level per query (generation; requester and draft; tier and tenant; the
 * tenant's default tier): four sequential round trips before anything else could start.
 */
export async function readJobRow(db: Database, generationId: string): Promise<JobRow | null> {
  const rows = await db.prisma.$queryRaw<unknown[]>`
    SELECT g."id", g."status"::text AS "status", g."platform"::text AS "platform", g."tenantId",
      g."requesterId", g."request", g."sources", g."deliveryState", g."draft", g."words", g."model",
      g."cacheHit", g."cacheEntryId", g."chunksDelivered", g."revisesId", g."instruction",
      g."createdAt", g."startedAt", g."finishedAt", d."conversationKey",
      t."maxWords" AS "tierMaxWords", t."allowedModel" AS "tierAllowedModel",
      t."cacheScope"::text AS "tierCacheScope", t."linePushPolicy"::text AS "tierLinePushPolicy"
    FROM "Generation" g
    JOIN "Requester" r ON r."id" = g."requesterId"
    JOIN "Tenant" te ON te."id" = r."tenantId"
    JOIN "Tier" t ON t."id" = COALESCE(r."tierId", te."defaultTierId")
    LEFT JOIN "Draft" d ON d."id" = g."draftId"
    WHERE g."id" = ${generationId}`;
  if (!rows.length) return null;
  const { conversationKey, tierMaxWords, tierAllowedModel, tierCacheScope, tierLinePushPolicy, ...g } =
    JobRowSchema.parse(rows[0]);
  return {
    ...g,
    draftOf: conversationKey === null ? null : { conversationKey },
    tier: {
      maxWords: tierMaxWords,
      allowedModel: tierAllowedModel,
      cacheScope: tierCacheScope,
      linePushPolicy: tierLinePushPolicy,
    },
  };
}
