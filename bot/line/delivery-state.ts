import { z } from "zod";
import { readJson } from "../../core/records/json.ts";
import type { LineMessage } from "./client.ts";

/**
 * What the LINE sink saves in a generation's delivery state, so a job that runs again
 * continues the same chat and sends nothing twice (see sink.ts).
 */

/** Messages this sink wrote itself (text bubbles, a footer): checked for a type, kept as written. */
const LineMessageSchema = z.custom<LineMessage>(
  (v) => typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string",
  "a LINE message object",
);

const LineDeliveryStateSchema = z.object({
  /** This attempt's id: a timer of an abandoned attempt must not send beside the next one. */
  attempt: z.string().optional(),
  /** The reply token was used (or found spent): everything from now on is pushed. */
  replyUsed: z.boolean().optional(),
  /** Messages delivered so far. */
  sent: z.number().int().optional(),
  /** Push batches started; the next push's index (and so its retry key). */
  batches: z.number().int().optional(),
  /** Messages ready and not yet sent. */
  pending: z.array(LineMessageSchema).optional(),
  /** Chunk indexes below this are buffered or sent: the same index passed again is skipped. */
  nextChunk: z.number().int().optional(),
  /** A push written down before it was sent: sent again as-is, same key, if the attempt died. */
  inflight: z
    .object({ batch: z.number().int(), messages: z.array(LineMessageSchema) })
    .nullable()
    .optional(),
  /** The tier's push rule, saved at start: a "Continue reading" tap sends by the same rule. */
  policy: z.enum(["NEVER", "FALLBACK", "ALWAYS"]).nullable().optional(),
  /** A "Continue reading" button is in the chat: the person has a free way to the rest. */
  continueOffered: z.boolean().optional(),
  /** The closing card (or the failure notice) is queued: a finish run again adds no second one. */
  ended: z.boolean().optional(),
  /** Written to the end; what is left waits for a "Continue reading" tap. */
  parked: z.boolean().optional(),
  /** Everything, the closing card too, was accepted by LINE. */
  done: z.boolean().optional(),
  /** Why the rest is not pushed: the monthly limit, or no free reply and no push allowed. */
  blocked: z.enum(["line_monthly_limit", "reply_expired"]).nullable().optional(),
});
export type LineDeliveryState = z.infer<typeof LineDeliveryStateSchema>;

/** The LINE part of a generation's delivery state, as this sink saved it. */
export function readLineDeliveryState(state: Record<string, unknown>): LineDeliveryState {
  return readJson(LineDeliveryStateSchema, state, "Generation.deliveryState (LINE)");
}
