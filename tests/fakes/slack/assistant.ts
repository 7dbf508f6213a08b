import type { SlackState } from "./state.ts";
import { err, type Handler, ok } from "./web-api.ts";

/**
 * assistant.threads.setStatus: the "is writing…" line under a thread, with up to 10 loading
 * messages; an empty status clears it. Per Slack's reference it takes chat:write and works in
 * any thread the app can post in (channels included), not only the AI-app view.
 */
export function assistantMethods(state: SlackState): Record<string, Handler> {
  return {
    "assistant.threads.setStatus": (a) => {
      const channel = state.channelOf(String(a.channel_id ?? ""));
      if (!a.channel_id || !/^[CGD][A-Z0-9]+$/.test(channel)) return err("channel_not_found");
      if (!a.thread_ts || !state.find(channel, String(a.thread_ts))) return err("invalid_thread_ts");
      if (typeof a.status !== "string") return err("invalid_arguments");
      const loading =
        typeof a.loading_messages === "string" ? JSON.parse(a.loading_messages) : a.loading_messages;
      if (loading !== undefined && (!Array.isArray(loading) || loading.length > 10))
        return err("invalid_arguments");
      state.statuses.push({
        channel,
        threadTs: String(a.thread_ts),
        status: a.status,
        loading: loading ?? [],
        at: Date.now(),
      });
      return ok({});
    },
  };
}
