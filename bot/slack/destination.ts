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
  const s = (v: unknown) => (typeof v === "string" && v ? v : undefined);
  const teamId = s(d.teamId);
  const channel = s(d.channel);
  const user = s(d.user);
  if (d.platform !== "SLACK" || !teamId || !channel || !user) throw new Error("Not a Slack destination");
  return { platform: "SLACK", teamId, channel, user, threadTs: s(d.threadTs), note: s(d.note) };
}

/** A DM with the app (D…), or a user id that Slack resolves to that DM. */
export function isDirect(channel: string): boolean {
  return /^[DUW]/.test(channel);
}
