import { z } from "zod";
import { readJson } from "../../core/records/json.ts";

/**
 * What the Slack sink saves with a generation (`Generation.deliveryState`), so a job retried on
 * another worker keeps the same thread, the same stream and never posts a chunk twice.
 */
const SlackDeliveryStateSchema = z.object({
  /** Where the thread is (a DM's D… id once Slack resolved it, or the DM fallback). */
  channel: z.string().optional(),
  /** The top-level message a form's draft is written under (none for a mention or a DM). */
  parentTs: z.string().optional(),
  /** The thread the replies go to: the person's message, the parent, or the thread asked in. */
  rootTs: z.string().optional(),
  /** The streamed reply being appended to, how much markdown it holds and since when. */
  streamTs: z.string().nullable().optional(),
  streamChars: z.number().optional(),
  streamStartedAt: z.number().optional(),
  /** "off" once this draft fell back to plain messages. */
  streaming: z.literal("off").optional(),
  /** The Stop card of a draft without a parent, while it is being written. */
  cardTs: z.string().nullable().optional(),
  /** Chunk indexes already in the thread. */
  posted: z.array(z.number().int()).optional(),
  /** The message carrying the closing blocks (the streamed reply, or a posted closing message). */
  closedTs: z.string().optional(),
});
export type SlackDeliveryState = z.infer<typeof SlackDeliveryStateSchema>;

/** The Slack part of a generation's delivery state, as this sink saved it. */
export function readSlackDeliveryState(state: unknown): SlackDeliveryState {
  return readJson(SlackDeliveryStateSchema, state, "Generation.deliveryState (Slack)");
}
