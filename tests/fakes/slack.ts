/**
 * A local Slack for tests and load runs, both directions:
 *   - the Web API the bot calls (`SLACK_API_URL` → `fake.url`): form-encoded, JSON or multipart
 *     bodies, Bearer or `token` auth, `{ok:false,error}` answers, 429 with Retry-After, block
 *     and length limits, the streaming methods, views.open with 3-second triggers, users.info,
 *     files.uploadV2's three steps, views.publish and chat.getPermalink (the Home tab),
 *     suggested prompts and thread titles (agent_view), and apps.connections.open plus a
 *     Socket Mode WebSocket;
 *   - Slack calling the bot: events, slash commands and interactions signed exactly as Slack
 *     signs them (v0 HMAC-SHA256 over `v0:{timestamp}:{body}`), or sent over the socket.
 * Every Web API call is recorded for assertions, and the fake keeps the conversation state
 * (messages, threads, streams, files) so tests can read a thread as a person would see it.
 *
 * One file per surface under `slack/`: `web-api.ts` (the envelope: auth, knobs, recording),
 * `chat.ts`, `views.ts`, `home.ts`, `agent.ts`, `files.ts`, `socket-mode.ts` (+ `websocket.ts`), `events.ts` and
 * `interactions.ts` (Slack calling the bot, signed in `signing.ts`), `state.ts` (the workspace
 * they share) and `server.ts` (composes them). Tests import this file only.
 */

export { startFakeSlack } from "./slack/server.ts";
export type {
  DeliverOptions,
  Delivery,
  EventOptions,
  FakeMessage,
  FakeSlack,
  FakeSlackOptions,
  Knobs,
  SlackCall,
  SlackUser,
} from "./slack/types.ts";
