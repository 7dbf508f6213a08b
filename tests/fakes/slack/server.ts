import http from "node:http";
import type { AddressInfo } from "node:net";
import { agentMethods } from "./agent.ts";
import { assistantMethods } from "./assistant.ts";
import { chatMethods } from "./chat.ts";
import { eventBody, eventSenders } from "./events.ts";
import { fileMethods, upload } from "./files.ts";
import { homeMethods, homeSenders } from "./home.ts";
import { interactionSenders } from "./interactions.ts";
import { deliver, sign } from "./signing.ts";
import { attachSocketMode, socketModeMethods } from "./socket-mode.ts";
import { SlackState } from "./state.ts";
import type { FakeSlack, FakeSlackOptions } from "./types.ts";
import { viewMethods, viewSubmitter } from "./views.ts";
import { identityMethods, webApi } from "./web-api.ts";

/** Starts the fake on 127.0.0.1 (a free port unless given) and composes its surfaces into one handle. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const state = new SlackState(options);
  const { knobs, store } = state;
  const homeViews: FakeSlack["homeViews"] = new Map();
  const agent: Pick<FakeSlack, "suggestedPrompts" | "threadTitles"> = {
    suggestedPrompts: [],
    threadTitles: [],
  };
  const api = webApi(state, {
    ...identityMethods(state),
    ...chatMethods(state),
    ...assistantMethods(state),
    ...viewMethods(state),
    ...fileMethods(state),
    ...socketModeMethods(state),
    ...homeMethods(state, homeViews),
    ...agentMethods(state, options.view ?? "agent", agent),
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://fake");
      const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
      const uploadMatch = /^\/upload\/v1\/(\w+)$/.exec(url.pathname);
      void (async () => {
        if (req.method === "POST" && apiMatch) return api(req, res, apiMatch[1]!, raw);
        if (req.method === "POST" && uploadMatch) return upload(state, req, res, uploadMatch[1]!, raw);
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "unknown_method" }));
      })().catch(() => res.destroy());
    });
  });
  const socketMode = attachSocketMode(state, server);

  const fake: FakeSlack = {
    url: "",
    botToken: state.botToken,
    appToken: state.appToken,
    signingSecret: state.signingSecret,
    teamId: state.teamId,
    botUserId: state.botUserId,
    botId: state.botId,
    appId: state.appId,
    calls: state.calls,
    callsTo: (method) => state.calls.filter((c) => c.method === method),
    set(k) {
      Object.assign(knobs, k);
      if (k.rateLimit) knobs.rateLimit = { ...k.rateLimit };
      if (k.fail) knobs.fail = { ...k.fail };
      if (k.rateLimits) knobs.rateLimits = k.rateLimits.map((r) => ({ ...r }));
    },
    hold(method) {
      let release!: () => void;
      state.holds.set(
        method,
        new Promise<void>((r) => {
          release = r;
        }),
      );
      return () => {
        state.holds.delete(method);
        release();
      };
    },
    addUser(u) {
      state.users.set(u.id, {
        name: u.id.toLowerCase(),
        realName: `Person ${u.id}`,
        displayName: `person-${u.id.toLowerCase()}`,
        teamId: state.teamId,
        locale: "en-US",
        ...u,
      });
    },
    messages: (channel) =>
      channel ? [...(store.get(state.channelOf(channel)) ?? [])] : [...store.values()].flat(),
    thread(channel, ts) {
      const all = store.get(state.channelOf(channel)) ?? [];
      return all.filter((m) => m.ts === ts || m.threadTs === ts);
    },
    ephemerals: state.ephemerals,
    homeViews,
    suggestedPrompts: agent.suggestedPrompts,
    threadTitles: agent.threadTitles,
    statuses: state.statuses,
    views: state.views,
    files: state.files,
    expireStreams() {
      for (const m of [...store.values()].flat()) m.streaming = false;
    },
    nextSeq: () => state.nextSeq(),
    sign: (body, timestamp, secret) => sign(state, body, timestamp, secret),
    deliver: (botUrl, body, contentType, opts) => deliver(state, botUrl, body, contentType, opts),
    eventBody: (event, opts) => eventBody(state, event, opts),
    ...eventSenders(state),
    ...interactionSenders(state),
    ...viewSubmitter(state),
    ...homeSenders(state, homeViews),
    socket: socketMode.socket,
    close: () =>
      new Promise<void>((resolve) => {
        socketMode.destroyAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.base = `http://127.0.0.1:${port}`;
  fake.url = `${state.base}/api/`;
  return fake;
}
