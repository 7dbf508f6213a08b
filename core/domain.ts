/**
 * The words of the product, shared by every pipeline step. Platform code (bot/) translates
 * Slack and LINE into these; nothing here knows about either.
 */
import type { Platform } from "./db/client.ts";

export type { Platform };

export type Language = "en" | "th";

/** How the draft should sound; "executive" is the house default. */
export type Tone = "executive" | "visionary" | "practical" | "analytical";

/** A validated request for one article: what the pipeline works from. */
export interface ArticleRequest {
  /** What the article is about, trimmed and length-capped. */
  topic: string;
  /** Industry slug such as "retail" or "healthcare"; null when none was named. */
  industry: string | null;
  /** Who reads it, e.g. "executives", "IT leaders". */
  audience: string;
  /** Target length in words, within the tier's maximum. */
  targetWords: number;
  keywords: string[];
  language: Language;
  tone: Tone;
}

/** A reference passage retrieved for the prompt, and what the closing message cites. */
export interface Source {
  documentId: string;
  title: string;
  excerpt: string;
  score: number;
  industry: string | null;
}

/** What a delivered draft keeps of a source (the generation row's `sources`): enough to cite it. */
export type SourceRef = Pick<Source, "documentId" | "title" | "score">;

/** One piece of the draft, ready to post: complete sections or paragraphs, never a cut word. */
export interface Chunk {
  /** 0-based position in the draft; delivery is idempotent per (generation, index). */
  index: number;
  /** Markdown text (headings, bold, lists, links); platforms convert it to what they render. */
  text: string;
}

/**
 * What a revision of a draft does: condense it, lengthen it, set a length, rewrite it from
 * another angle or in a tone, translate it, aim it at another audience, or a free-form edit.
 */
export const REVISION_KINDS = [
  "shorter",
  "longer",
  "length",
  "angle",
  "tone",
  "translate",
  "audience",
  "edit",
] as const;
export type RevisionKind = (typeof REVISION_KINDS)[number];
