import type { Language } from "../../core/domain.ts";

/**
 * What a quick-reply button asks for, carried in its postback data (at most 300 characters):
 * follow-ups on a draft ("shorter", "another angle"), a new topic, or a choice remembered for
 * the next request (industry, length).
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */

export type LineAction =
  | { kind: "shorter"; generationId: string }
  | { kind: "angle"; generationId: string }
  | { kind: "new_topic" }
  | { kind: "pick_industry"; industry: string }
  | { kind: "pick_length"; words: number }
  /** A rich menu button (the menu is one for everyone, so it carries no language). */
  | { kind: "menu"; item: MenuItem }
  /** "Continue reading": the rest of a draft, by the fresh reply token the tap brings. */
  | { kind: "continue"; generationId: string }
  | { kind: "vote"; generationId: string; vote: "up" | "down" };

export const MENU_ITEMS = ["new", "quota", "help", "language"] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** The button's language rides along (`l`), so the answer to a tap speaks it too. */
export function encodeAction(action: LineAction, lang: Language): string {
  switch (action.kind) {
    case "shorter":
    case "angle":
      return new URLSearchParams({ a: action.kind, g: action.generationId, l: lang }).toString();
    case "new_topic":
      return new URLSearchParams({ a: "new", l: lang }).toString();
    case "continue":
      return new URLSearchParams({ a: "more", g: action.generationId, l: lang }).toString();
    case "vote":
      return new URLSearchParams({ a: "vote", g: action.generationId, v: action.vote, l: lang }).toString();
    case "pick_industry":
      return new URLSearchParams({ a: "industry", v: action.industry, l: lang }).toString();
    case "pick_length":
      return new URLSearchParams({ a: "length", v: String(action.words), l: lang }).toString();
    case "menu":
      return menuData(action.item);
  }
}

/** A rich menu button's postback data: the same for every reader, so no language rides along. */
export function menuData(item: MenuItem): string {
  return new URLSearchParams({ a: "menu", v: item }).toString();
}

/** Null for anything this bot did not write (an old button, a hand-made postback). */
export function parseAction(data: unknown): { action: LineAction; lang: Language | null } | null {
  if (typeof data !== "string" || data.length > 300) return null;
  const p = new URLSearchParams(data);
  const lang = p.get("l") === "th" ? "th" : p.get("l") === "en" ? "en" : null;
  const action = actionOf(p);
  return action ? { action, lang } : null;
}

const GENERATION_ID = /^[a-z0-9]{8,40}$/i;

function actionOf(p: URLSearchParams): LineAction | null {
  const id = p.get("g") ?? "";
  const value = p.get("v") ?? "";
  switch (p.get("a")) {
    case "shorter":
    case "angle":
      return /^[a-z0-9]{8,40}$/i.test(id)
        ? { kind: p.get("a") as "shorter" | "angle", generationId: id }
        : null;
    case "new":
      return { kind: "new_topic" };
    case "more":
      return GENERATION_ID.test(id) ? { kind: "continue", generationId: id } : null;
    case "vote":
      return GENERATION_ID.test(id) && (value === "up" || value === "down")
        ? { kind: "vote", generationId: id, vote: value }
        : null;
    case "industry":
      return /^[a-z-]{2,30}$/.test(value) ? { kind: "pick_industry", industry: value } : null;
    case "length": {
      const words = Number(value);
      return Number.isInteger(words) && words >= 100 && words <= 5_000
        ? { kind: "pick_length", words }
        : null;
    }
    case "menu": {
      const item = MENU_ITEMS.find((i) => i === value);
      return item ? { kind: "menu", item } : null;
    }
    default:
      return null;
  }
}
