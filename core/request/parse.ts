import { z } from "zod";
import type { ArticleRequest, Language, Tone } from "../domain.ts";
import { speakerLanguage } from "../text/language.ts";
import { normalizeTopicWords } from "../text/words.ts";
import {
  extractAudience,
  extractKeywords,
  extractLanguage,
  extractLength,
  extractTone,
  parseLengthField,
  parseToneField,
  splitKeywords,
} from "./extract.ts";
import { type Guidance, guidance, notes as noteText } from "./guidance.ts";
import { detectIndustry, industryFromField } from "./industries.ts";
import { isHelpRequest, LENGTH_LIMITS } from "./rules.ts";
import { cleanText, stripMentions } from "./sanitize.ts";
import { capTopic, stripRequestPhrasing } from "./topic.ts";

export type { Guidance };

/**
 * A person's request — a chat message in English or Thai, or a form — as one validated
 * ArticleRequest, or guidance telling them how to ask. Never throws: anything a platform can
 * deliver (emoji, a 1 MB paste, broken UTF-16, an injection attempt) is just text here.
 */

export interface RequestLimits {
  /** The requester's tier maximum article length, in words. */
  maxWords: number;
}

export type RequestInput = { kind: "text"; text: string } | { kind: "form"; form: Record<string, unknown> };

export interface ParseOptions {
  /** Names the bot goes by, stripped when a message starts with them ("@Article Bot"). */
  botNames?: readonly string[];
  /** Language for guidance when the message has no letters to tell (emoji only). */
  language?: Language;
}

export type ParseResult =
  | { ok: true; request: ArticleRequest; notes: string[] }
  | { ok: false; guidance: Guidance };

const DEFAULT_AUDIENCE: Record<Language, string> = { en: "executives", th: "ผู้บริหาร" };

/** Strings from a Slack modal or the console; anything else in the form is ignored. */
const FormSchema = z.object({
  topic: z.string().nullish(),
  industry: z.string().nullish(),
  audience: z.string().nullish(),
  targetWords: z.union([z.string(), z.number()]).nullish(),
  keywords: z.union([z.string(), z.array(z.string())]).nullish(),
  language: z.string().nullish(),
  tone: z.string().nullish(),
});
export type RequestForm = z.infer<typeof FormSchema>;

export function parseArticleRequest(
  input: RequestInput,
  limits: RequestLimits,
  options: ParseOptions = {},
): ParseResult {
  if (input?.kind === "form") return parseForm(input.form, limits, options);
  return parseText(input?.text, limits, options);
}

function parseText(raw: unknown, limits: RequestLimits, options: ParseOptions): ParseResult {
  const text = stripMentions(cleanText(raw), options.botNames);
  const speaks = speakerLanguage(text, options.language);
  if (!text) return fail("empty", speaks);
  if (isHelpRequest(text)) return fail("help", speaks);
  if (!/\p{L}/u.test(text)) return fail("unusable", speaks);

  const language = extractLanguage(text);
  const length = extractLength(language.rest);
  const tone = extractTone(length.rest);
  const audience = extractAudience(tone.rest);
  const keywords = extractKeywords(audience.rest);
  const topic = stripRequestPhrasing(keywords.rest);
  return build(
    {
      topic,
      speaks,
      language: language.value ?? speaks,
      askedWords: length.value,
      tone: tone.value,
      audience: audience.value,
      keywords: keywords.value,
      industry: detectIndustry(topic) ?? detectIndustry(text),
    },
    limits,
    [],
  );
}

function parseForm(form: unknown, limits: RequestLimits, options: ParseOptions): ParseResult {
  const parsed = FormSchema.safeParse(form ?? {});
  if (!parsed.success) return fail("unusable", options.language ?? "en");
  const f = parsed.data;
  const topic = stripRequestPhrasing(cleanText(f.topic));
  const speaks = speakerLanguage(topic, options.language);
  const language = languageField(f.language) ?? speaks;
  const notes: string[] = [];
  return build(
    {
      topic,
      speaks,
      language,
      askedWords: formLength(f.targetWords, speaks, notes),
      tone: formTone(f.tone, speaks, notes),
      audience: cleanText(f.audience, 80) || null,
      keywords: splitKeywords([f.keywords ?? []].flat().map((k) => cleanText(k))),
      industry: industryFromField(cleanText(f.industry, 100)) ?? detectIndustry(topic),
    },
    limits,
    notes,
  );
}

interface Parts {
  topic: string;
  /** The language the person wrote in: guidance and notes use it. */
  speaks: Language;
  /** The language the article is written in. */
  language: Language;
  askedWords: number | null;
  tone: Tone | null;
  audience: string | null;
  keywords: string[];
  industry: string | null;
}

function build(p: Parts, limits: RequestLimits, notes: string[]): ParseResult {
  const capped = capTopic(p.topic);
  if (!capped.topic) return fail("empty", p.speaks);
  if (!/\p{L}/u.test(capped.topic)) return fail("unusable", p.speaks);
  // "write an article about it": letters, but nothing to write about.
  if (normalizeTopicWords(capped.topic, p.language).length === 0) return fail("empty", p.speaks);
  if (capped.shortened) notes.push(noteText.topicShortened(p.speaks, 200));
  const request: ArticleRequest = {
    topic: capped.topic,
    industry: p.industry,
    audience: p.audience ?? DEFAULT_AUDIENCE[p.language],
    targetWords: targetWords(p.askedWords, limits, p.speaks, notes),
    keywords: p.keywords,
    language: p.language,
    tone: p.tone ?? "executive",
  };
  return { ok: true, request, notes };
}

/** Asked-for length (or the default) within [LENGTH_LIMITS.minWords, tier maximum]; the tier wins. */
function targetWords(asked: number | null, limits: RequestLimits, speaks: Language, notes: string[]): number {
  const max =
    Number.isFinite(limits?.maxWords) && limits.maxWords >= 1
      ? Math.floor(limits.maxWords)
      : Number.POSITIVE_INFINITY;
  let words = asked ?? LENGTH_LIMITS.defaultWords;
  if (words < LENGTH_LIMITS.minWords) {
    if (asked !== null) notes.push(noteText.raisedToMinimum(speaks, LENGTH_LIMITS.minWords));
    words = LENGTH_LIMITS.minWords;
  }
  if (words > max) {
    notes.push(noteText.cappedToTier(speaks, max, words));
    words = max;
  }
  return words;
}

function languageField(value: string | null | undefined): Language | null {
  const word = (value ?? "").trim().toLowerCase();
  if (/^(?:th|thai|ไทย|ภาษาไทย)$/u.test(word)) return "th";
  if (/^(?:en|english|อังกฤษ|ภาษาอังกฤษ)$/u.test(word)) return "en";
  return null;
}

function formLength(
  value: string | number | null | undefined,
  speaks: Language,
  notes: string[],
): number | null {
  if (value === null || value === undefined || value === "") return null;
  const words =
    typeof value === "number"
      ? Number.isFinite(value)
        ? Math.round(value)
        : null
      : parseLengthField(cleanText(value, 40));
  if (words === null) notes.push(noteText.unreadableLength(speaks, cleanText(String(value), 40)));
  return words;
}

function formTone(value: string | null | undefined, speaks: Language, notes: string[]): Tone | null {
  const text = cleanText(value, 40);
  if (!text) return null;
  const tone = parseToneField(text);
  if (!tone) notes.push(noteText.unknownTone(speaks, text));
  return tone;
}

function fail(reason: Guidance["reason"], language: Language): ParseResult {
  return { ok: false, guidance: guidance(reason, language) };
}
