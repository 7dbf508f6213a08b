import { randomBytes } from "node:crypto";
import { deliver, payloadForm, userBlock } from "./signing.ts";
import type { SlackState } from "./state.ts";
import type { FakeSlack } from "./types.ts";

/**
 * What people do with the app besides talking to it: slash commands (form-encoded fields),
 * global shortcuts and button clicks (block_actions), each with a fresh 3-second trigger.
 */
export function interactionSenders(
  state: SlackState,
): Pick<FakeSlack, "commandFields" | "command" | "shortcut" | "clickButton"> {
  const commandFields: FakeSlack["commandFields"] = (c) => {
    const triggerId = state.issueTrigger();
    const team = c.teamId ?? state.teamId;
    const fields = {
      token: "fake-verification-token",
      team_id: team,
      team_domain: "fake-team",
      channel_id: c.channel,
      channel_name: "general",
      user_id: c.user,
      user_name: state.userOf(c.user).name,
      command: c.command ?? "/article",
      text: c.text ?? "",
      api_app_id: state.appId,
      is_enterprise_install: "false",
      response_url: `${state.base}/commands/${team}/${randomBytes(6).toString("hex")}`,
      trigger_id: triggerId,
    };
    return { triggerId, fields };
  };

  return {
    commandFields,
    async command(botUrl, c, opts = {}) {
      const { triggerId, fields } = commandFields(c);
      const body = new URLSearchParams(fields).toString();
      return {
        triggerId,
        delivery: await deliver(state, botUrl, body, "application/x-www-form-urlencoded", opts),
      };
    },
    async shortcut(botUrl, s, opts = {}) {
      const triggerId = state.issueTrigger();
      const team = s.teamId ?? state.teamId;
      const payload = {
        type: "shortcut",
        token: "fake-verification-token",
        action_ts: `${Date.now() / 1000}`,
        team: { id: team, domain: "fake-team" },
        user: userBlock(state, s.user, team),
        is_enterprise_install: false,
        enterprise: null,
        callback_id: s.callbackId,
        trigger_id: triggerId,
      };
      return {
        triggerId,
        delivery: await deliver(
          state,
          botUrl,
          payloadForm(payload),
          "application/x-www-form-urlencoded",
          opts,
        ),
      };
    },
    async clickButton(botUrl, message, actionId, user, opts = {}) {
      const element = (message.blocks ?? [])
        .flatMap((b: any) =>
          b.type === "actions" || b.type === "context_actions"
            ? b.elements.map((e: any) => ({ ...e, block_id: b.block_id }))
            : [],
        )
        .find((e: any) => e.action_id === actionId);
      if (!element) throw new Error(`no button ${actionId} on message ${message.ts}`);
      // Feedback buttons send the pressed side's text and value, typed "feedback_buttons".
      const side =
        element.type === "feedback_buttons" ? element[`${opts.feedback ?? "positive"}_button`] : null;
      const button = side
        ? { block_id: element.block_id, text: side.text, value: side.value, type: "feedback_buttons" }
        : { ...element, type: "button" };
      const triggerId = state.issueTrigger();
      const team = opts.teamId ?? state.teamId;
      const payload = {
        type: "block_actions",
        user: userBlock(state, user, team),
        api_app_id: state.appId,
        token: "fake-verification-token",
        container: {
          type: "message",
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: false,
          ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
        },
        trigger_id: triggerId,
        team: { id: team, domain: "fake-team" },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: message.channel, name: "general" },
        message: {
          type: "message",
          bot_id: state.botId,
          text: message.text,
          ts: message.ts,
          thread_ts: message.threadTs,
          blocks: message.blocks,
        },
        state: { values: {} },
        response_url: `${state.base}/actions/${team}/${randomBytes(6).toString("hex")}`,
        actions: [
          {
            action_id: actionId,
            block_id: button.block_id,
            text: button.text,
            value: button.value,
            type: button.type,
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      };
      return {
        triggerId,
        delivery: await deliver(
          state,
          botUrl,
          payloadForm(payload),
          "application/x-www-form-urlencoded",
          opts,
        ),
      };
    },
  };
}
