import type { Prisma } from "../db/client.ts";
import { normalizeForSearch } from "./text.ts";

/** Longest phrase the list takes: a cliché is a few words, not a paragraph. */
export const MAX_PHRASE_CHARS = 120;

/**
 * How a phrase is stored: the form the style check looks for (lower case, NFKC, single spaces),
 * so "In Today's  fast-paced world" and "in today's fast-paced world" are one entry.
 */
export function normalizePhrase(phrase: string): string {
  return normalizeForSearch(phrase).trim();
}

type Tx = Pick<Prisma.TransactionClient, "stylePhrase">;

/** Adds a phrase; false when the list already has it. */
export async function addAvoidPhrase(tx: Tx, phrase: string): Promise<{ added: boolean; phrase: string }> {
  const normalized = normalizePhrase(phrase);
  const existing = await tx.stylePhrase.findUnique({ where: { phrase: normalized } });
  if (existing) return { added: false, phrase: normalized };
  await tx.stylePhrase.create({ data: { phrase: normalized } });
  return { added: true, phrase: normalized };
}

/** Removes a phrase; false when it was not on the list. */
export async function removeAvoidPhrase(tx: Tx, phrase: string): Promise<boolean> {
  const removed = await tx.stylePhrase.deleteMany({ where: { phrase } });
  return removed.count > 0;
}
