import { z } from "zod";
import type { Prisma } from "../db/client.ts";
import type { ArticleRequest, Source, SourceRef } from "../domain.ts";
import { TONES } from "../request/rules.ts";

/**
 * JSON columns read back with a schema, not a cast: a row written by an older version, or
 * edited by hand, fails here with the column's name instead of somewhere far downstream.
 */

export const ArticleRequestSchema = z.object({
  topic: z.string(),
  industry: z.string().nullable(),
  audience: z.string(),
  targetWords: z.number().int().positive(),
  keywords: z.array(z.string()),
  language: z.enum(["en", "th"]),
  tone: z.enum(TONES),
}) satisfies z.ZodType<ArticleRequest>;

export const SourcesSchema = z.array(
  z.object({
    documentId: z.string(),
    title: z.string(),
    excerpt: z.string(),
    score: z.number(),
    industry: z.string().nullable(),
  }),
) satisfies z.ZodType<Source[]>;

/** A generation's `sources`: what it keeps of each source it cited. */
export const SourceRefsSchema = z.array(
  z.object({ documentId: z.string(), title: z.string(), score: z.number() }),
) satisfies z.ZodType<SourceRef[]>;

export function readSourceRefs(value: unknown): SourceRef[] {
  return readJson(SourceRefsSchema, value, "Generation.sources");
}

/** A sink's own bookkeeping: an object of whatever that sink saved (each sink reads its part). */
export const DeliveryStateSchema = z.record(z.string(), z.unknown());

export class JsonColumnError extends Error {
  constructor(column: string, issues: string) {
    super(`${column} does not hold what this version reads: ${issues}`);
  }
}

/** Parses a JSON column with its schema; `column` names it in the error ("Generation.request"). */
export function readJson<S extends z.ZodType>(schema: S, value: unknown, column: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new JsonColumnError(column, z.prettifyError(parsed.error));
  return parsed.data;
}

export function readArticleRequest(value: unknown): ArticleRequest {
  return readJson(ArticleRequestSchema, value, "Generation.request");
}

/** A value for a JSON column: plain data (dates as strings), checked by a schema on the way back. */
export function toJsonColumn(value: object): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
