import type { Language } from "../domain.ts";

/**
 * Which of our two languages a text is in. Only letters decide: digits (Thai digits included),
 * punctuation and emoji say nothing about the language around them, so "๒๕๖๘ AI" is English
 * (its one word is) and "๑๒๓" falls back to English like any text without letters.
 */

// Thai letters, Thai vowel signs and tone marks are all in this script; \p{L} keeps the letters.
const LETTER = /\p{L}/gu;
const THAI_LETTER = /(?=\p{L})\p{Script=Thai}/gu;

function letterCounts(text: string): { thai: number; all: number } {
  return { thai: text.match(THAI_LETTER)?.length ?? 0, all: text.match(LETTER)?.length ?? 0 };
}

/**
 * The language of a piece of writing (a request, a reference article): Thai when Thai letters
 * are most of the letters, so English brand names in Thai text do not flip it.
 */
export function detectLanguage(text: string): Language {
  const { thai, all } = letterCounts(text);
  return thai * 2 > all ? "th" : "en";
}

/**
 * The language a person wrote in, for what the bot says back to them. Thai readers mix English
 * terms into Thai ("เขียนบทความเรื่อง Digital Transformation Strategy"), English writers rarely
 * type Thai: a quarter of Thai letters means Thai. `fallback` answers text without letters.
 */
export function speakerLanguage(text: string, fallback: Language = "en"): Language {
  const { thai, all } = letterCounts(text);
  if (all === 0) return fallback;
  return thai * 4 >= all ? "th" : "en";
}
