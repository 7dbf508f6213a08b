import type { App } from "@slack/bolt";
import { suggestPrompts } from "../../agent.ts";
import type { ListenerDeps } from "../deps.ts";

/**
 * The person opened the app: the Home tab gets their usage and latest drafts (views.publish);
 * the Messages tab, where the agent messaging experience (`agent_view`) holds its
 * conversations, gets suggested prompts in their language. Under agent_view this event takes
 * the place of assistant_thread_started. Slack sends it on every open; both answers are
 * idempotent, so a retried event only repeats them.
 * @see https://docs.slack.dev/reference/events/app_home_opened
 * @see https://docs.slack.dev/ai/migrating-to-agent-messaging
 */
export function register(app: App, { desk, home, app: ctx }: ListenerDeps): void {
  app.event("app_home_opened", async ({ event, body, client }) => {
    const teamId = body.team_id;
    if (!teamId) return;
    if (event.tab === "messages") {
      const language = await desk.languageOf(teamId, event.user);
      return suggestPrompts(client, event.channel, language, ctx.logger);
    }
    try {
      await home.publish(teamId, event.user);
    } catch (error) {
      // The tab keeps what it showed last time; nothing to tell the person in a chat.
      ctx.logger.warn({ err: error, user: event.user }, "could not publish the slack home tab");
    }
  });
}
