import { createHmac } from "node:crypto";
import { type SlackState, safeJson } from "./state.ts";
import type { DeliverOptions, Delivery } from "./types.ts";

/** Slack's request signing: v0 HMAC-SHA256 over `v0:{timestamp}:{body}` with the signing secret. */
export function sign(
  state: SlackState,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
  secret = state.signingSecret,
): { timestamp: string; signature: string } {
  return {
    timestamp: String(timestamp),
    signature: `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  };
}

/** POSTs a body to the bot's `/slack/events` signed as Slack signs it (or with a given signature). */
export async function deliver(
  state: SlackState,
  botUrl: string,
  body: string,
  contentType: string,
  opts: DeliverOptions = {},
): Promise<Delivery> {
  const signed = sign(state, body, opts.timestamp, opts.secret);
  const headers: Record<string, string> = {
    "content-type": contentType,
    "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    "x-slack-request-timestamp": signed.timestamp,
    "x-slack-signature": opts.signature ?? signed.signature,
  };
  if (opts.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(opts.retryNum);
    headers["x-slack-retry-reason"] = opts.retryReason ?? "http_timeout";
  }
  const res = await fetch(`${botUrl.replace(/\/$/, "")}/slack/events`, { method: "POST", headers, body });
  const text = await res.text();
  return { status: res.status, text, json: safeJson(text), seq: state.nextSeq() };
}

/** Interaction payloads travel form-encoded in one `payload` field. */
export const payloadForm = (payload: unknown) =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** The `user` object of an interaction payload. */
export const userBlock = (state: SlackState, id: string, team: string) => ({
  id,
  username: state.userOf(id).name,
  name: state.userOf(id).name,
  team_id: team,
});
