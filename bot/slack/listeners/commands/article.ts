import type { App } from "@slack/bolt";
import { guidance } from "../../../../core/request/guidance.ts";
import { isHelpRequest } from "../../../../core/request/rules.ts";
import { speakerLanguage } from "../../../../core/text/language.ts";
import { slackErrorCode } from "../../client.ts";
import { guidanceMessage, plain, words } from "../../copy.ts";
import { articleModal } from "../../modal.ts";
import { type ListenerDeps, LOCALE_WAIT_MS, typedText } from "../deps.ts";

/**
 * `/article [topic]` opens the article form, the topic filled in when one was typed;
 * `/article help` answers with guidance (only the person sees it). views.open needs the
 * trigger within 3 s, so the form opens right after the acknowledgement, before anything else.
 * @see https://docs.slack.dev/interactivity/implementing-slash-commands
 */
export function register(app: App, { desk }: ListenerDeps): void {
  app.command("/article", async ({ command, ack, client }) => {
    const text = typedText(command.text).trim();
    if (isHelpRequest(text)) {
      const message = guidanceMessage(guidance("help", speakerLanguage(text)));
      return ack({ response_type: "ephemeral", ...message });
    }
    await ack();
    const person = await desk.languageOf(command.team_id, command.user_id, { timeoutMs: LOCALE_WAIT_MS });
    try {
      await client.views.open({
        trigger_id: command.trigger_id,
        view: articleModal(
          { channel: command.channel_id, threadTs: undefined },
          { topic: text || undefined, person },
        ),
      });
    } catch (error) {
      // An expired trigger (Slack was slow to deliver the command): say so instead of silence.
      if (!slackErrorCode(error)) throw error;
      await desk.tell(
        { channel: command.channel_id, user: command.user_id },
        plain(words(speakerLanguage(text, person)).modalFailed),
      );
    }
  });
}
