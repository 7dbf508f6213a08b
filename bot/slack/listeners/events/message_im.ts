import type { App } from "@slack/bolt";
import { speakerLanguage } from "../../../../core/text/language.ts";
import { plain, words } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { typedText } from "../deps.ts";

/**
 * A direct message to the bot: the whole message is the request (in a thread of the DM, as the
 * AI-app view writes them, the draft goes into that thread). Replies inside one of our draft
 * threads are not new requests (the buttons change a draft); they get a one-line hint.
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
    if (threadTs && (await desk.isDraftThread(event.channel, threadTs))) {
      if (await desk.once(body.event_id))
        await desk.tell(
          { channel: event.channel, threadTs, user },
          plain(words(speakerLanguage(event.text ?? "")).threadHint),
        );
      return;
    }
    await desk.take({
      eventId: body.event_id,
      teamId,
      userId: user,
      input: { kind: "text", text: typedText(event.text) },
      destination: { platform: "SLACK", teamId, channel: event.channel, threadTs, user },
      replyTo: { channel: event.channel, threadTs, user },
    });
  });
}
