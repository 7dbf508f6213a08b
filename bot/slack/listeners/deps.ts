import type { AppContext } from "../../../core/app.ts";
import type { FrontDesk } from "../intake.ts";

/** What every listener gets: the front desk (pipeline, dedup, answers) and the app's stores. */
export interface ListenerDeps {
  desk: FrontDesk;
  app: AppContext;
}

/** Slack escapes &, < and > in message text and writes links as <url|label>: back to what was typed. */
export function typedText(text: string | undefined): string {
  return (text ?? "")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}
