import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { typedText } from "../deps.ts";

/**
 * Someone mentioned the bot in a channel: "@Article Bot AI in healthcare for executives, 1200 words".
 * The draft is written in a thread under the person's own message (or in the thread the
 * mention was in): `thread_ts = event.thread_ts ?? event.ts`, as Slack's streaming wants.
 * A mention inside a draft's thread ("@Article Bot make it shorter") is about that draft: a
 * revision, a stop, thanks or a usage question, answered in the thread.
 * @see https://docs.slack.dev/reference/events/app_mention
 */
export function register(app: App, { desk }: ListenerDeps): void {
  app.event("app_mention", async ({ event, body }) => {
    if (!event.user || event.bot_id) return; // another bot (or a workflow) mentioning us
    const teamId = body.team_id ?? event.team;
    if (!teamId) return;
    const threadTs = event.thread_ts ?? event.ts;
    await desk.take({
      eventId: body.event_id,
      teamId,
      userId: event.user,
      input: { kind: "text", text: typedText(event.text) },
      conversation: { channel: event.channel, threadTs },
      destination: { platform: "SLACK", teamId, channel: event.channel, threadTs, user: event.user },
      replyTo: { channel: event.channel, threadTs: event.thread_ts, user: event.user },
    });
  });
}
