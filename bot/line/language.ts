import type { Language } from "../../core/domain.ts";

/**
 * A LINE profile's language ("th", "en", "ja", ...) as one the bot speaks: Thai for Thai,
 * English for any other language, Thai when the profile does not say (clients are mostly Thai).
 */
export function profileLanguage(language: string | undefined | null): Language {
  if (!language) return "th";
  return /^th\b/i.test(language) ? "th" : "en";
}
