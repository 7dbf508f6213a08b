import type { App } from "@slack/bolt";
import { ARTICLE_MODAL, formErrors, readArticleForm, readOrigin } from "../../modal.ts";
import type { ListenerDeps } from "../deps.ts";

/**
 * The article form was submitted. Field problems Slack can show in the form are answered in the
 * acknowledgement itself (the form stays open); otherwise the form closes at once and the
 * request goes to the pipeline — kept in the inbox before the form closes (Slack never sends a
 * submission again). One article per opened form: the view id is the request's id.
 * @see https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload#view_submission
 */
export function register(app: App, { desk }: ListenerDeps): void {
  app.view(ARTICLE_MODAL, async ({ ack, body, view }) => {
    const form = readArticleForm(view.state.values);
    const origin = readOrigin(view.private_metadata);
    const errors = formErrors(form, origin.language);
    if (errors) return ack({ response_action: "errors", errors });
    const teamId = body.team?.id ?? body.user.team_id ?? view.team_id;
    const user = body.user.id;
    await desk.take({
      eventId: `view:${view.id}`,
      teamId,
      teamName: body.team?.domain,
      userId: user,
      input: { kind: "form", form },
      conversation: { channel: origin.channel ?? user, threadTs: origin.threadTs ?? `view:${view.id}` },
      destination: {
        platform: "SLACK",
        teamId,
        channel: origin.channel ?? user,
        threadTs: origin.threadTs,
        user,
      },
      replyTo: { channel: origin.channel, threadTs: origin.threadTs, user },
      language: origin.language ?? (form.language === "th" ? "th" : "en"),
    });
    await ack();
  });
}
