import type { SlackState } from "./state.ts";
import type { FakeMessage } from "./types.ts";
import { type Answer, err, type Handler, ok } from "./web-api.ts";

/**
 * chat.*: posting, updating and ephemeral messages, and the streaming methods (startStream,
 * appendStream, stopStream) with Slack's limits: blocks and section lengths, 12,000 characters of
 * streamed markdown, streams that leave the streaming state, channels the app is not in, and a
 * per-channel pace for new messages.
 */

const SECTION_MAX = 3_000;
const STREAM_MAX = 12_000;

/** Slack's message limits: 50 blocks, 3,000 characters of section text, 150 of a header. */
function messageProblem(a: Record<string, any>): string | null {
  const blocks = a.blocks;
  if (!a.text && !blocks) return "no_text";
  if (String(a.text ?? "").length > 40_000) return "msg_too_long";
  if (blocks === undefined) return null;
  if (!Array.isArray(blocks) || blocks.length > 50) return "invalid_blocks";
  for (const b of blocks) {
    if (b.type === "section" && (!b.text?.text || String(b.text.text).length > SECTION_MAX))
      return "invalid_blocks";
    if (b.type === "header" && (b.text?.type !== "plain_text" || String(b.text.text).length > 150))
      return "invalid_blocks";
    if (b.type === "actions" && (!Array.isArray(b.elements) || b.elements.length > 25))
      return "invalid_blocks";
    if (b.type === "context" && (!Array.isArray(b.elements) || b.elements.length > 10))
      return "invalid_blocks";
    if (b.type === "context_actions" && !contextActionsValid(b)) return "invalid_blocks";
  }
  return null;
}

/** A context_actions block: 1–5 feedback_buttons or icon_button elements, each side's text within 75. */
function contextActionsValid(b: Record<string, any>): boolean {
  if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 5) return false;
  const side = (s: any) =>
    s?.text?.type === "plain_text" &&
    String(s.text.text ?? "").length >= 1 &&
    String(s.text.text).length <= 75 &&
    typeof s.value === "string" &&
    s.value.length <= 2_000 &&
    (s.accessibility_label === undefined || String(s.accessibility_label).length <= 75);
  return b.elements.every((e: any) =>
    e.type === "feedback_buttons"
      ? side(e.positive_button) && side(e.negative_button)
      : e.type === "icon_button" && typeof e.icon === "string",
  );
}

export function chatMethods(state: SlackState): Record<string, Handler> {
  const { knobs } = state;

  function newMessage(channel: string, via: string, args: Record<string, any>): FakeMessage | Answer {
    if (knobs.notInChannel.includes(channel)) return err("not_in_channel");
    if (knobs.invisible.includes(channel) || !/^[CGD][A-Z0-9]+$/.test(channel))
      return err("channel_not_found");
    if (knobs.channelIntervalMs > 0) {
      const last = state.lastPost.get(channel) ?? 0;
      if (Date.now() - last < knobs.channelIntervalMs)
        return { status: 429, body: { ok: false, error: "ratelimited" }, headers: { "retry-after": "1" } };
    }
    const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
    if (threadTs && !state.find(channel, threadTs)) return err("thread_not_found");
    state.lastPost.set(channel, Date.now());
    const m: FakeMessage = {
      channel,
      ts: state.newTs(),
      threadTs,
      text: String(args.text ?? ""),
      blocks: args.blocks,
      appends: 0,
      via,
      bot: true,
      updates: 0,
    };
    state.list(channel).push(m);
    return m;
  }

  /** Slack ends a stream a few minutes after it started (knobs.streamLifetimeMs here). */
  const expired = (m: FakeMessage) =>
    knobs.streamLifetimeMs !== null && Date.now() - (m.streamStartedAt ?? 0) > knobs.streamLifetimeMs;

  const existing = (a: Record<string, any>) =>
    state.find(state.channelOf(String(a.channel ?? "")), String(a.ts ?? ""));

  return {
    "chat.postMessage": (a) => {
      const problem = messageProblem(a);
      if (problem) return err(problem);
      const made = newMessage(state.channelOf(String(a.channel ?? "")), "chat.postMessage", a);
      if (!("ts" in made)) return made;
      return ok({
        channel: made.channel,
        ts: made.ts,
        message: {
          type: "message",
          text: made.text,
          blocks: made.blocks,
          bot_id: state.botId,
          ts: made.ts,
          thread_ts: made.threadTs,
        },
      });
    },
    "chat.update": (a) => {
      const m = existing(a);
      if (!m) return err("message_not_found");
      const problem = messageProblem(a);
      if (problem) return err(problem);
      m.text = String(a.text ?? m.text);
      if (a.blocks) m.blocks = a.blocks;
      m.updates += 1;
      return ok({ channel: m.channel, ts: m.ts, text: m.text });
    },
    "chat.postEphemeral": (a) => {
      const channel = state.channelOf(String(a.channel ?? ""));
      if (knobs.notInChannel.includes(channel)) return err("not_in_channel");
      if (knobs.invisible.includes(channel)) return err("channel_not_found");
      if (!a.user) return err("user_not_found");
      const problem = messageProblem(a);
      if (problem) return err(problem);
      state.ephemerals.push({
        channel,
        user: String(a.user),
        text: String(a.text ?? ""),
        blocks: a.blocks,
        threadTs: a.thread_ts,
      });
      return ok({ message_ts: state.newTs() });
    },
    "chat.startStream": (a) => {
      if (knobs.streaming === "unknown_method")
        return err("unknown_method", { req_method: "chat.startStream" });
      const channel = state.channelOf(String(a.channel ?? ""));
      if (!a.thread_ts)
        return err("invalid_arguments", {
          response_metadata: { messages: ["[ERROR] missing required field: thread_ts"] },
        });
      if (!a.recipient_team_id) return err("missing_recipient_team_id");
      if (!a.recipient_user_id) return err("missing_recipient_user_id");
      const text = String(a.markdown_text ?? "");
      if (text.length > STREAM_MAX) return err("msg_too_long");
      const made = newMessage(channel, "chat.startStream", { thread_ts: a.thread_ts });
      if (!("ts" in made)) return made;
      made.markdown = text;
      made.streaming = true;
      made.streamStartedAt = Date.now();
      return ok({ channel: made.channel, ts: made.ts });
    },
    "chat.delete": (a) => {
      const channel = state.channelOf(String(a.channel ?? ""));
      const list = state.list(channel);
      const at = list.findIndex((m) => m.ts === String(a.ts ?? ""));
      if (at === -1) return err("message_not_found");
      if (!list[at]!.bot) return err("cant_delete_message");
      list.splice(at, 1);
      return ok({ channel, ts: String(a.ts) });
    },
    "chat.appendStream": (a) => {
      if (knobs.streaming === "unknown_method")
        return err("unknown_method", { req_method: "chat.appendStream" });
      const m = existing(a);
      if (!m) return err("message_not_found");
      if (!m.streaming || expired(m)) return err("message_not_in_streaming_state");
      const text = String(a.markdown_text ?? "");
      if (!text) return err("invalid_arguments");
      if (text.length > STREAM_MAX || (m.markdown ?? "").length + text.length > STREAM_MAX)
        return err("msg_too_long");
      m.markdown = (m.markdown ?? "") + text;
      m.appends += 1;
      if (knobs.expireStreamsAfterAppends !== null && m.appends >= knobs.expireStreamsAfterAppends)
        m.streaming = false;
      return ok({ channel: m.channel, ts: m.ts });
    },
    "chat.stopStream": (a) => {
      if (knobs.streaming === "unknown_method")
        return err("unknown_method", { req_method: "chat.stopStream" });
      const m = existing(a);
      if (!m) return err("message_not_found");
      if (!m.streaming || expired(m)) return err("message_not_in_streaming_state");
      const text = String(a.markdown_text ?? "");
      if (text.length > STREAM_MAX || (m.markdown ?? "").length + text.length > STREAM_MAX)
        return err("msg_too_long");
      if (a.blocks !== undefined) {
        // Slack renders these under the streamed text: the same block limits as a message.
        const problem = messageProblem({ text: "x", blocks: a.blocks });
        if (problem) return err(problem);
        m.blocks = a.blocks;
      }
      m.markdown = (m.markdown ?? "") + text;
      m.streaming = false;
      return ok({
        channel: m.channel,
        ts: m.ts,
        message: { type: "message", text: m.markdown, ts: m.ts, bot_id: state.botId },
      });
    },
  };
}
