import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { typedText } from "../deps.ts";

/**
 * A direct message to the bot: the whole message is the request, and the draft is written in a
 * thread under it. In the agent messaging experience each message starts its own thread of the
 * DM, which a new draft titles with its topic. A reply inside a draft's thread is
 * about that draft: "make it shorter" revises it there, "thanks" and "how many left?" are
 * answered there without writing anything.
 * @see https://docs.slack.dev/reference/events/message.im
 */
export function register(app: App, { desk }: ListenerDeps): void {
  app.event("message", async ({ event, body }) => {
    if (event.channel_type !== "im") return;
    // Edits, deletions, joins, file shares and bots (ourselves included) are not requests.
    if (
      event.subtype !== undefined ||
      ("bot_id" in event && event.bot_id) ||
      !("user" in event) ||
      !event.user
    )
      return;
    const teamId = body.team_id ?? ("team" in event ? event.team : undefined);
    if (!teamId) return;
    const user = event.user;
    const threadTs = event.thread_ts && event.thread_ts !== event.ts ? event.thread_ts : undefined;
    await desk.take({
      eventId: body.event_id,
      teamId,
      userId: user,
      input: { kind: "text", text: typedText(event.text) },
      conversation: { channel: event.channel, threadTs: threadTs ?? event.ts },
      // The draft goes under the person's own message, like a mention's.
      destination: {
        platform: "SLACK",
        teamId,
        channel: event.channel,
        threadTs: threadTs ?? event.ts,
        user,
      },
      replyTo: { channel: event.channel, threadTs, user },
      agentThread: true,
    });
  });
}
