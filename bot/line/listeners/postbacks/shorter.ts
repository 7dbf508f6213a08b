import { shorterTarget } from "../../../../core/request/rules.ts";
import type { LineListeners } from "../../ingress/dispatch.ts";
import { writeAgain } from "./drafts.ts";

/**
 * "Shorter": the same brief at about half the length (core's rule; the parser caps it at the
 * tier's maximum).
 *
 * https://developers.line.biz/en/reference/messaging-api/#postback-action
 */
export function register(listeners: LineListeners): void {
  listeners.postback("shorter", (ctx, tap) =>
    writeAgain(ctx, tap, (r) => ({ ...r, targetWords: shorterTarget(r.targetWords) })),
  );
}
