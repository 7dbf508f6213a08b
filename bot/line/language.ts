import type { Language } from "../../core/domain.ts";

/**
 * The language a person wrote in, for what the bot says back. Thai readers mix English terms
 * into Thai ("เขียนบทความเรื่อง Digital Transformation"), English writers rarely type Thai:
 * a quarter of Thai letters means Thai (the same rule the request parser uses for guidance).
 */
export function speakerLanguage(text: string, fallback: Language): Language {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return fallback;
  const thai = text.match(/[\u0E01-\u0E4E]/gu)?.length ?? 0;
  return thai * 4 >= letters ? "th" : "en";
}

/**
 * A LINE profile's language ("th", "en", "ja", ...) as one the bot speaks: Thai for Thai,
 * English for any other language, Thai when the profile does not say (clients are mostly Thai).
 */
export function profileLanguage(language: string | undefined | null): Language {
  if (!language) return "th";
  return /^th\b/i.test(language) ? "th" : "en";
}
