import { z } from "zod";
import type { Destination } from "../../core/deliver/sink.ts";

/**
 * Where a Slack draft goes, as the ingress saw it. Travels with the job (JSON), so the worker
 * that writes the draft can be another process.
 */
export interface SlackDestination extends Destination {
  platform: "SLACK";
  teamId: string;
  /** A channel id (C…, G…, D…), or the requester's user id to write in their DM with the app. */
  channel: string;
  /** Post the parent into this existing thread (the request was made inside a thread). */
  threadTs?: string;
  /** The requester: streamed replies are addressed to them, refusals are shown to them alone. */
  user: string;
  /** A line for the parent message ("A new angle: visionary"). */
  note?: string;
}

/** The destination back from its JSON form; a malformed one is a bug, not a person's input. */
export function readDestination(d: Destination): SlackDestination {
  const parsed = SlackDestinationSchema.safeParse(d);
  if (!parsed.success) throw new Error(`Not a Slack destination: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export const SlackDestinationSchema = z.object({
  platform: z.literal("SLACK"),
  teamId: z.string().min(1),
  channel: z.string().min(1),
  threadTs: z.string().min(1).optional(),
  user: z.string().min(1),
  note: z.string().min(1).optional(),
});

/** A DM with the app (D…), or a user id that Slack resolves to that DM. */
export function isDirect(channel: string): boolean {
  return /^[DUW]/.test(channel);
}
