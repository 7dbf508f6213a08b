import { nextTone } from "../../../../core/request/rules.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { writeAgain } from "./drafts.ts";

/**
 * "Another angle": the same topic in the next tone — a genuinely different take, and a
 * different cache key, so the person does not get the same draft back.
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("angle", (ctx, tap) => writeAgain(ctx, tap, (r) => ({ ...r, tone: nextTone(r.tone) })));
}
