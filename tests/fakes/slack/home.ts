import { randomBytes } from "node:crypto";
import { eventBody } from "./events.ts";
import { deliver, payloadForm, userBlock } from "./signing.ts";
import type { SlackState } from "./state.ts";
import type { FakeSlack } from "./types.ts";
import { err, type Handler, ok } from "./web-api.ts";

/**
 * The App Home: views.publish (a home view per person, with Block Kit's limits), the
 * chat.getPermalink links the tab shows, and the app_home_opened event Slack sends when a
 * person opens the Home or Messages tab.
 * @see https://docs.slack.dev/reference/methods/views.publish
 * @see https://docs.slack.dev/reference/views/home-tab-views
 */

/** Block Kit limits for a home view and the blocks the bot uses in it. */
export const HOME_LIMITS = {
  blocks: 100,
  privateMetadata: 3_000,
  callbackId: 255,
  sectionText: 3_000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
} as const;

export function homeMethods(state: SlackState, published: FakeSlack["homeViews"]): Record<string, Handler> {
  return {
    "views.publish": (a) => {
      if (!a.user_id || !a.view) return err("invalid_arguments");
      const view = a.view;
      const problem = homeViewProblem(view);
      if (problem)
        return err("invalid_arguments", { response_metadata: { messages: [`[ERROR] ${problem}`] } });
      const id = state.newId("V");
      published.set(String(a.user_id), { id, view });
      return ok({ view: { ...view, id, team_id: state.teamId, app_id: state.appId, bot_id: state.botId } });
    },
    "chat.getPermalink": (a) => {
      const channel = state.channelOf(String(a.channel ?? ""));
      if (!a.channel || !a.message_ts) return err("invalid_arguments");
      if (!state.store.has(channel)) return err("channel_not_found");
      if (!state.find(channel, String(a.message_ts))) return err("message_not_found");
      return ok({
        channel,
        permalink: `https://fake.slack.com/archives/${channel}/p${String(a.message_ts).replace(".", "")}`,
      });
    },
  };
}

function homeViewProblem(view: any): string | null {
  if (view?.type !== "home") return "must be a valid enum value [json-pointer:/view/type]";
  if (!Array.isArray(view.blocks)) return "missing required field: blocks";
  if (view.blocks.length > HOME_LIMITS.blocks) return `no more than ${HOME_LIMITS.blocks} items allowed`;
  if (String(view.private_metadata ?? "").length > HOME_LIMITS.privateMetadata)
    return "private_metadata too long";
  if (String(view.callback_id ?? "").length > HOME_LIMITS.callbackId) return "callback_id too long";
  for (const block of view.blocks) {
    const problem = blockProblem(block);
    if (problem) return problem;
  }
  return null;
}

function blockProblem(block: any): string | null {
  switch (block?.type) {
    case "section":
      if (!block.text?.text || block.text.text.length > HOME_LIMITS.sectionText) return "section text 1-3000";
      return null;
    case "context":
      if (!Array.isArray(block.elements) || !block.elements.length) return "context needs elements";
      return block.elements.length > HOME_LIMITS.contextElements ? "context: at most 10 elements" : null;
    case "actions":
      if (!Array.isArray(block.elements) || block.elements.length > HOME_LIMITS.actionsElements)
        return "actions: 1-25 elements";
      for (const e of block.elements) {
        if (e.type !== "button") continue;
        if (!e.text?.text || e.text.text.length > HOME_LIMITS.buttonText) return "button text 1-75";
        if (String(e.value ?? "").length > HOME_LIMITS.buttonValue) return "button value too long";
        if (!e.action_id || e.action_id.length > HOME_LIMITS.actionId) return "button action_id 1-255";
      }
      return null;
    case "divider":
    case "header":
      return null;
    default:
      return `unsupported block type ${String(block?.type)}`;
  }
}

export function homeSenders(
  state: SlackState,
  published: FakeSlack["homeViews"],
): Pick<FakeSlack, "openHome" | "clickHomeButton"> {
  return {
    /** A click on a button of the person's published Home tab: block_actions from a view container. */
    async clickHomeButton(botUrl, user, actionId, opts = {}) {
      const home = published.get(user);
      if (!home) throw new Error(`no home view published for ${user}`);
      const button = (home.view.blocks as any[])
        .flatMap((b) =>
          b.type === "actions" ? b.elements.map((e: any) => ({ ...e, block_id: b.block_id })) : [],
        )
        .find((e: any) => e.action_id === actionId);
      if (!button) throw new Error(`no button ${actionId} on ${user}'s home tab`);
      const triggerId = state.issueTrigger();
      const team = opts.teamId ?? state.teamId;
      const payload = {
        type: "block_actions",
        user: userBlock(state, user, team),
        api_app_id: state.appId,
        token: "fake-verification-token",
        container: { type: "view", view_id: home.id },
        trigger_id: triggerId,
        team: { id: team, domain: "fake-team" },
        enterprise: null,
        is_enterprise_install: false,
        view: { ...home.view, id: home.id, team_id: team, app_id: state.appId, bot_id: state.botId },
        actions: [
          {
            action_id: actionId,
            block_id: button.block_id,
            text: button.text,
            value: button.value,
            type: "button",
            action_ts: `${Date.now() / 1000}`,
          },
        ],
      };
      const delivery = await deliver(
        state,
        botUrl,
        payloadForm(payload),
        "application/x-www-form-urlencoded",
        opts,
      );
      return { triggerId, delivery };
    },
    async openHome(botUrl, o, opts = {}) {
      const channel = state.channelOf(o.user);
      const body = eventBody(
        state,
        {
          type: "app_home_opened",
          user: o.user,
          channel,
          tab: o.tab,
          ts: `${Math.floor(Date.now() / 1000)}.${randomBytes(3).readUIntBE(0, 3)}`,
        },
        { eventId: opts.eventId, teamId: o.teamId },
      );
      const delivery = await deliver(state, botUrl, JSON.stringify(body), "application/json", opts);
      return { eventId: body.event_id, channel, delivery };
    },
  };
}
