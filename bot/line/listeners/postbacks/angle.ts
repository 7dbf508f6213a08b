import type { LineListeners } from "../../ingress/dispatch.ts";
import { revise } from "./drafts.ts";

/**
 * "Another angle": the draft above rewritten in the next tone, keeping its topic and facts, as
 * a new version of it.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("angle", revise);
}
