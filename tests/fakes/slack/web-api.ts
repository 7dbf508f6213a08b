import type http from "node:http";
import { type SlackState, safeJson } from "./state.ts";
import type { SlackCall } from "./types.ts";

/**
 * The Web API's envelope, shared by every method: form-encoded, JSON or multipart bodies,
 * Bearer or `token` auth, `{ok:false,error}` answers, 429 with Retry-After, and the knobs that
 * hold, slow, rate-limit or fail a method. Each call is recorded before it is answered.
 */

export type Answer = { status?: number; body: Record<string, any>; headers?: Record<string, string> };
export type Handler = (args: Record<string, any>, token: string | null) => Answer | Promise<Answer>;

export const ok = (body: Record<string, any> = {}): Answer => ({ body: { ok: true, ...body } });
export const err = (error: string, extra: Record<string, any> = {}): Answer => ({
  body: { ok: false, error, ...extra },
});

export async function readArgs(req: http.IncomingMessage, raw: Buffer): Promise<Record<string, any> | null> {
  const type = req.headers["content-type"] ?? "";
  const text = raw.toString("utf8");
  if (type.includes("application/json")) {
    try {
      return JSON.parse(text || "{}");
    } catch {
      return null;
    }
  }
  if (type.includes("multipart/form-data")) {
    const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
    const out: Record<string, any> = {};
    for (const [k, v] of form)
      out[k] = typeof v === "string" ? v : Buffer.from(await v.arrayBuffer()).toString("utf8");
    return out;
  }
  // application/x-www-form-urlencoded: objects arrive JSON-encoded in a field, as the SDK sends them.
  const out: Record<string, any> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

/** Answers `POST /api/<method>` with the handler of that method, after the envelope's checks. */
export function webApi(state: SlackState, handlers: Record<string, Handler>) {
  const { knobs } = state;
  return async function api(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: string,
    raw: Buffer,
  ): Promise<void> {
    const callSeq = state.nextSeq();
    const args = (await readArgs(req, raw)) ?? {};
    const bearer = /^Bearer\s+(.+)$/.exec(String(req.headers.authorization ?? ""))?.[1] ?? null;
    const token = bearer ?? (typeof args.token === "string" ? args.token : null);
    delete args.token;
    const call: SlackCall = {
      seq: callSeq,
      method,
      contentType: String(req.headers["content-type"] ?? ""),
      args,
      token,
      at: Date.now(),
      status: 0,
      response: {},
    };
    state.calls.push(call);
    const held = state.holds.get(method);
    if (held) await held;
    const wait = knobs.latencyMs[method];
    if (wait) await new Promise((r) => setTimeout(r, wait));

    let answer: Answer;
    const limited =
      knobs.rateLimit &&
      (!knobs.rateLimit.method || knobs.rateLimit.method === method) &&
      knobs.rateLimit.times > 0;
    const rule = knobs.rateLimits.find(
      (r) =>
        r.method === method &&
        r.times > 0 &&
        (!r.channel || state.channelOf(String(args.channel ?? args.channel_id ?? "")) === r.channel),
    );
    if (limited || rule) {
      const retryAfterSec = rule ? rule.retryAfterSec : knobs.rateLimit!.retryAfterSec;
      if (rule) rule.times -= 1;
      else knobs.rateLimit!.times -= 1;
      answer = {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(retryAfterSec) },
      };
    } else if (!token) answer = err("not_authed");
    else if (method === "apps.connections.open" ? !token.startsWith("xapp-") : token !== state.botToken)
      answer = err("invalid_auth");
    else if (
      knobs.fail &&
      knobs.fail.method === method &&
      (knobs.fail.times === undefined || knobs.fail.times > 0)
    ) {
      if (knobs.fail.times !== undefined) knobs.fail.times -= 1;
      answer = err(knobs.fail.error);
    } else {
      const handler = handlers[method];
      answer = handler ? await handler(args, token) : err("unknown_method", { req_method: method });
    }
    call.status = answer.status ?? 200;
    call.response = answer.body;
    res.writeHead(call.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
    res.end(JSON.stringify(answer.body));
  };
}

/** auth.test and users.info: who the app is, and the people it meets. */
export function identityMethods(state: SlackState): Record<string, Handler> {
  return {
    "auth.test": () =>
      ok({
        url: "https://fake.slack.com/",
        team: "Fake Team",
        user: "article-bot",
        team_id: state.teamId,
        user_id: state.botUserId,
        bot_id: state.botId,
        is_enterprise_install: false,
      }),
    "users.info": (a) => {
      if (!a.user) return err("user_not_found");
      const u = state.userOf(String(a.user));
      return ok({
        user: {
          id: u.id,
          team_id: u.teamId,
          name: u.name,
          real_name: u.realName,
          deleted: false,
          is_bot: false,
          profile: { real_name: u.realName, display_name: u.displayName },
          // Only when asked: users.info leaves the locale out unless include_locale is true.
          ...(a.include_locale === true || a.include_locale === "true" ? { locale: u.locale } : {}),
        },
      });
    },
  };
}
