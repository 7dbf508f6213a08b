import { randomBytes } from "node:crypto";
import { deliver } from "./signing.ts";
import type { SlackState } from "./state.ts";
import type { FakeMessage, FakeSlack } from "./types.ts";

/**
 * Events API callbacks the way Slack sends them: the event_callback envelope (event id,
 * authorizations, team), app mentions in channels and direct messages, each first written into
 * the fake's conversation as the person's own message.
 */

export function eventBody(
  state: SlackState,
  event: Record<string, any>,
  opts: { eventId?: string; teamId?: string } = {},
): Record<string, any> {
  const team = opts.teamId ?? state.teamId;
  return {
    token: "fake-verification-token",
    team_id: team,
    context_team_id: team,
    api_app_id: state.appId,
    event: { ...event, event_ts: event.ts },
    type: "event_callback",
    event_id: opts.eventId ?? state.newId("Ev"),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: team,
        user_id: state.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString("base64url")}`,
  };
}

function personSays(
  state: SlackState,
  channel: string,
  user: string,
  text: string,
  threadTs?: string,
): FakeMessage {
  const m: FakeMessage = {
    channel,
    ts: state.newTs(),
    threadTs,
    text,
    appends: 0,
    via: "user",
    user,
    bot: false,
    updates: 0,
  };
  state.list(channel).push(m);
  return m;
}

export function eventSenders(state: SlackState): Pick<FakeSlack, "mention" | "directMessage" | "personSays"> {
  return {
    personSays: (m) => personSays(state, m.channel, m.user, m.text, m.threadTs),
    async mention(botUrl, m, opts = {}) {
      const said = personSays(state, m.channel, m.user, m.text, m.threadTs);
      const body = eventBody(
        state,
        {
          type: "app_mention",
          user: m.user,
          text: m.text,
          ts: said.ts,
          channel: m.channel,
          team: m.teamId ?? state.teamId,
          ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        },
        { eventId: opts.eventId, teamId: m.teamId },
      );
      const delivery = await deliver(state, botUrl, JSON.stringify(body), "application/json", opts);
      return { eventId: body.event_id, ts: said.ts, delivery };
    },
    async directMessage(botUrl, m, opts = {}) {
      const channel = state.channelOf(m.user);
      const said = personSays(state, channel, m.user, m.text, m.threadTs);
      const body = eventBody(
        state,
        {
          type: "message",
          channel_type: "im",
          user: m.user,
          text: m.text,
          ts: said.ts,
          channel,
          team: m.teamId ?? state.teamId,
          client_msg_id: randomBytes(8).toString("hex"),
          ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        },
        { eventId: opts.eventId, teamId: m.teamId },
      );
      const delivery = await deliver(state, botUrl, JSON.stringify(body), "application/json", opts);
      return { eventId: body.event_id, ts: said.ts, channel, delivery };
    },
  };
}
