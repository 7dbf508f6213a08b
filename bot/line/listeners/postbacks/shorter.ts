import type { LineListeners } from "../../ingress/dispatch.ts";
import { revise } from "./drafts.ts";

/**
 * "Shorter": the draft above condensed to about half (core's rule), as a new version of it.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("shorter", revise);
}
