import { z } from "zod";
import type { Database, Platform } from "../db/client.ts";
import { readJson, toJsonColumn } from "./json.ts";

/**
 * A chat platform's monthly message allowance (LINE: pushes count against the Official
 * Account's limit, replies are free), as the bot last read it. The bot reads the platform and
 * writes it here; the console shows it with a month-end forecast.
 */

const MessageQuotaSchema = z.object({
  /** Null: the account has no limit. */
  limit: z.number().int().nullable(),
  used: z.number().int(),
  readAt: z.iso.datetime(),
});
export type MessageQuota = z.infer<typeof MessageQuotaSchema>;

export async function saveMessageQuota(
  db: Database,
  tenant: { platform: Platform; externalId: string },
  quota: Omit<MessageQuota, "readAt">,
  now = new Date(),
): Promise<void> {
  await db.prisma.tenant.updateMany({
    where: tenant,
    data: { messageQuota: toJsonColumn({ ...quota, readAt: now.toISOString() }) },
  });
}

export function readMessageQuota(value: unknown): MessageQuota | null {
  if (value === null || value === undefined) return null;
  return readJson(MessageQuotaSchema, value, "Tenant.messageQuota");
}

/**
 * Messages the month will end at if it goes on as it went so far: use so far over the
 * fraction of the month gone (UTC; LINE's month follows its own clock, close enough for a
 * forecast). Null in the month's first hour, when one push would swing it wildly.
 */
export function monthEndForecast(used: number, now = new Date()): number | null {
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const gone = now.getTime() - start;
  if (gone < 3_600_000) return null;
  return Math.round((used * (end - start)) / gone);
}
