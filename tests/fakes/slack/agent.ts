import type { SlackState } from "./state.ts";
import type { FakeSlack } from "./types.ts";
import { err, type Handler, ok } from "./web-api.ts";

/**
 * The agent messaging experience's methods: suggested prompts (up to four, each with a title
 * and a message) and thread titles, in the app's DMs only. The fake runs as an `agent_view`
 * app unless told it is a legacy `assistant_view` one: under agent_view, prompts sit at the top
 * of the DM, and a call that names a thread_ts answers ok but sets nothing, as Slack documents.
 * @see https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts
 * @see https://docs.slack.dev/reference/methods/assistant.threads.setTitle
 */

export const MAX_SUGGESTED_PROMPTS = 4;

export function agentMethods(
  state: SlackState,
  view: "agent" | "assistant",
  records: Pick<FakeSlack, "suggestedPrompts" | "threadTitles">,
): Record<string, Handler> {
  const isDm = (channel: string) => /^D/.test(channel);
  return {
    "assistant.threads.setSuggestedPrompts": (a) => {
      const channel = String(a.channel_id ?? "");
      const prompts = a.prompts;
      if (!channel || !Array.isArray(prompts)) return err("invalid_arguments");
      if (prompts.length < 1 || prompts.length > MAX_SUGGESTED_PROMPTS) return err("invalid_arguments");
      const wellFormed = (p: any) =>
        typeof p?.title === "string" && p.title && typeof p?.message === "string" && p.message;
      if (!prompts.every(wellFormed)) return err("invalid_arguments");
      if (a.title !== undefined && typeof a.title !== "string") return err("invalid_arguments");
      if (!isDm(channel)) return err("channel_not_found");
      if (view === "agent" && a.thread_ts) return ok(); // silently ignored under agent_view
      if (view === "assistant" && !a.thread_ts) return err("invalid_arguments");
      records.suggestedPrompts.push({ channel, title: a.title, prompts, threadTs: a.thread_ts });
      return ok();
    },
    "assistant.threads.setTitle": (a) => {
      const channel = String(a.channel_id ?? "");
      if (!channel || !a.thread_ts || typeof a.title !== "string" || !a.title)
        return err("invalid_arguments");
      if (!isDm(channel)) return err("channel_not_found");
      if (!state.find(channel, String(a.thread_ts))) return err("invalid_thread_ts");
      records.threadTitles.push({ channel, threadTs: String(a.thread_ts), title: a.title });
      return ok();
    },
  };
}
