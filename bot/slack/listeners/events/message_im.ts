import type { App } from "@slack/bolt";
import { detectLanguage } from "../../../../core/text/words.ts";
import { plain, words } from "../../messages.ts";
import type { ListenerDeps } from "../deps.ts";
import { typedText } from "../deps.ts";

/**
 * A direct message to the bot: the whole message is the request. Replies inside a draft's
 * thread are not new requests (the buttons change a draft); they get a one-line hint.
 * @see https://docs.slack.dev/reference/events/message.im
 */
export function register(app: App, { desk }: ListenerDeps): void {
  app.event("message", async ({ event, body }) => {
    if (event.channel_type !== "im") return;
    // Edits, deletions, joins, file shares and bots (ourselves included) are not requests.
    if (event.subtype !== undefined || ("bot_id" in event && event.bot_id) || !("user" in event) || !event.user) return;
    const teamId = body.team_id ?? ("team" in event ? event.team : undefined);
    if (!teamId) return;
    const user = event.user;
    if (event.thread_ts && event.thread_ts !== event.ts) {
      if (await desk.once(body.event_id)) await desk.tell({ channel: event.channel, threadTs: event.thread_ts, user }, plain(words(detectLanguage(event.text ?? "")).threadHint));
      return;
    }
    await desk.take({
      eventId: body.event_id,
      teamId,
      userId: user,
      input: { kind: "text", text: typedText(event.text) },
      destination: { platform: "SLACK", teamId, channel: event.channel, user },
      replyTo: { channel: event.channel, user },
    });
  });
}
