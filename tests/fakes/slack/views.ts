import { randomBytes } from "node:crypto";
import { deliver, payloadForm, userBlock } from "./signing.ts";
import type { SlackState } from "./state.ts";
import type { FakeSlack } from "./types.ts";
import { err, type Handler, ok } from "./web-api.ts";

/**
 * Modals both ways: views.open (a trigger is single-use and good for 3 seconds; at most 100
 * blocks) and the view_submission Slack sends when a person submits one.
 */

const TRIGGER_TTL_MS = 3_000;

export function viewMethods(state: SlackState): Record<string, Handler> {
  return {
    "views.open": (a) => {
      const issued = state.triggers.get(String(a.trigger_id ?? ""));
      if (issued === undefined) return err("invalid_trigger_id");
      if (Date.now() - issued > TRIGGER_TTL_MS) return err("expired_trigger_id");
      state.triggers.delete(String(a.trigger_id));
      const view = a.view;
      if (view?.type !== "modal" || !Array.isArray(view.blocks)) return err("invalid_arguments");
      if (view.blocks.length > 100) return err("invalid_arguments");
      const id = state.newId("V");
      state.views.push({ id, triggerId: String(a.trigger_id), view });
      return ok({
        view: {
          ...view,
          id,
          team_id: state.teamId,
          app_id: state.appId,
          bot_id: state.botId,
          state: { values: {} },
          hash: `${Date.now()}.${randomBytes(4).toString("hex")}`,
        },
      });
    },
  };
}

/** The state Slack reports for an opened view's inputs: given values, else their initial ones. */
function viewState(blocks: any[], values: Record<string, string>): Record<string, Record<string, any>> {
  const state: Record<string, Record<string, any>> = {};
  for (const block of blocks) {
    if (block.type !== "input") continue;
    const el = block.element;
    const given = values[block.block_id];
    const initial = el.initial_option?.value ?? el.initial_value;
    const v = given ?? initial;
    state[block.block_id] = {
      [el.action_id]:
        el.type === "static_select"
          ? {
              type: el.type,
              selected_option: v ? ((el.options as any[]).find((o) => o.value === v) ?? null) : null,
            }
          : { type: el.type, value: v ?? null },
    };
  }
  return state;
}

export function viewSubmitter(state: SlackState): Pick<FakeSlack, "submitView"> {
  return {
    async submitView(botUrl, viewId, user, values, opts = {}) {
      const opened = state.views.find((v) => v.id === viewId);
      if (!opened) throw new Error(`no view ${viewId}`);
      const team = opts.teamId ?? state.teamId;
      const payload = {
        type: "view_submission",
        team: { id: team, domain: "fake-team" },
        user: userBlock(state, user, team),
        api_app_id: state.appId,
        token: "fake-verification-token",
        trigger_id: state.issueTrigger(),
        view: {
          ...opened.view,
          id: viewId,
          team_id: team,
          app_id: state.appId,
          bot_id: state.botId,
          state: { values: viewState(opened.view.blocks as any[], values) },
          hash: "1.fake",
          root_view_id: viewId,
          previous_view_id: null,
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
      return deliver(state, botUrl, payloadForm(payload), "application/x-www-form-urlencoded", opts);
    },
  };
}
