import { z } from "zod";
import type { ArticleRequest } from "../domain.ts";

/** An ArticleRequest as stored in a JSON column (Draft.request, Generation.request), read with zod. */
export const ArticleRequestSchema = z.object({
  topic: z.string(),
  industry: z.string().nullable(),
  audience: z.string(),
  targetWords: z.number().int().positive(),
  keywords: z.array(z.string()),
  language: z.enum(["en", "th"]),
  tone: z.enum(["executive", "visionary", "practical", "analytical"]),
});

export function readArticleRequest(json: unknown): ArticleRequest {
  return ArticleRequestSchema.parse(json);
}
