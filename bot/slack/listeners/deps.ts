import type { AppContext } from "../../../core/app.ts";
import type { AppHome } from "../home.ts";
import type { FrontDesk } from "../intake.ts";

/** What every listener gets: the front desk (pipeline, dedup, answers), the Home tab and the app's stores. */
export interface ListenerDeps {
  desk: FrontDesk;
  home: AppHome;
  app: AppContext;
}

/**
 * How long a listener that must open a modal waits to learn the person's locale: views.open
 * needs the trigger within 3 s of the click, and the look-up is usually remembered already.
 */
export const LOCALE_WAIT_MS = 800;

/** Slack escapes &, < and > in message text and writes links as <url|label>: back to what was typed. */
export function typedText(text: string | undefined): string {
  return (text ?? "")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
