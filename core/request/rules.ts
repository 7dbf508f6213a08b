import type { Tone } from "../domain.ts";

/**
 * Product rules every surface shares — Slack, LINE and the console import these and never
 * restate them, so "another angle" or "shorter" means the same thing wherever it is clicked.
 */

/** The order "another angle" walks through: each click is the next one, wrapping around. */
export const TONES = ["executive", "visionary", "practical", "analytical"] as const satisfies readonly Tone[];

export function nextTone(tone: Tone): Tone {
  return TONES[(TONES.indexOf(tone) + 1) % TONES.length]!;
}

/** Article lengths, in words, anyone may ask for; a tier's maximum narrows the top further. */
export const LENGTH_LIMITS = { minWords: 150, defaultWords: 800, maxWords: 4_000 } as const;

/** Lengths are offered and compared in steps of this many words. */
const LENGTH_STEP = 50;

/** "Shorter": about half, on a 50-word step, never below the minimum. */
export function shorterTarget(words: number): number {
  return Math.max(LENGTH_LIMITS.minWords, Math.round(words / 2 / LENGTH_STEP) * LENGTH_STEP);
}

/** Whether "shorter" would change anything: a draft already at the minimum cannot shrink. */
export function canShorten(words: number): boolean {
  return shorterTarget(words) < words;
}

/**
 * A message that asks how to use the bot rather than for an article, in English or Thai.
 * Anchored alternation without nested quantifiers: linear on any input.
 */
const HELP =
  /^(?:help|\/help|\?+|ช่วย(?:ด้วย|เหลือ)?|ขอความช่วยเหลือ|วิธีใช้|ใช้(?:งาน)?ยังไง|ใช้(?:งาน)?อย่างไร|how (?:do i|to) use(?: (?:this|you|it|the bot))?|usage|commands?|menu|เมนู|what can you do|hi|hello|hey|สวัสดี(?:ครับ|ค่ะ|คะ)?)[\s!?.]*$/iu;

export function isHelpRequest(text: string): boolean {
  return HELP.test(text.trim());
}
