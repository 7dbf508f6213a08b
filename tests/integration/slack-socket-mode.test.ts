import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import { slackPlatform } from "../../bot/slack/index.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { connectRedis } from "../../core/redis.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import { seed } from "../../prisma/seed.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../helpers/services.ts";
import { until } from "../helpers/wait.ts";

/**
 * Socket Mode (SLACK_APP_TOKEN set): Bolt over the Socket Mode client, connected to the fake's
 * WebSocket after apps.connections.open; every envelope is acknowledged on the socket.
 */

let database: TestDatabase;
let openai: FakeOpenAI;
let slack: FakeSlack;
let app: AppContext;
let pipeline: Pipeline;
let server: HttpServer;
let ingress: { close(): Promise<void> } | null = null;

const id = (prefix: string) => `${prefix}${randomBytes(4).toString("hex").toUpperCase()}`;
const delivered = (requestKey: string) =>
  until(`${requestKey} delivered`, async () => {
    const g = await app.db.prisma.generation.findUnique({ where: { requestKey } });
    const state = g ? readSlackDeliveryState(g.deliveryState ?? {}) : null;
    return g?.status === "DELIVERED" && state?.closedTs && !state.cardTs ? g : null;
  });

function startIngress() {
  const platform = slackPlatform(app, { pacingMs: 30, statusIntervalMs: 0 });
  return platform.startIngress(server, pipeline);
}

beforeAll(async () => {
  database = await createPostgresDatabase("ab_slack_socket");
  openai = await startFakeOpenAI();
  slack = await startFakeSlack();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.url,
    PORT: "0",
    ADMIN_PORT: "0",
  });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = connectRedis(REDIS_URL);
  await redis.connect();
  app = { config, logger: createLogger("silent"), db, redis };
  pipeline = createPipeline(app, {
    workerConcurrency: 2,
    sinks: { SLACK: slackPlatform(app, { pacingMs: 30, statusIntervalMs: 0 }).sink },
  });
  pipeline.startWorker();
  server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  ingress = await startIngress();
});

afterAll(async () => {
  await ingress?.close();
  await server?.close();
  await pipeline?.close();
  app?.redis?.disconnect();
  await app?.db.close();
  await slack?.close();
  await openai?.close();
  await database?.drop();
});

describe("Slack over Socket Mode", () => {
  it("connects with the app token and mounts no HTTP route", async () => {
    await slack.socket.connected();
    const open = slack.callsTo("apps.connections.open");
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open[0]!.token).toBe(slack.appToken);
    const res = await fetch(`${server.url}/slack/events`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });

  it("acknowledges an app_mention envelope and writes the draft in a thread", async () => {
    const channel = id("C");
    const user = id("U");
    const text = `<@${slack.botUserId}> AI in agriculture for policy makers, 300 words`;
    const said = slack.personSays({ channel, user, text });
    const body = slack.eventBody({ type: "app_mention", user, text, ts: said.ts, channel });
    const ack = await slack.socket.send("events_api", body);
    expect(ack.envelopeId).toBeTruthy();
    const g = await delivered(`SLACK:${body.event_id}`);
    const state = readSlackDeliveryState(g.deliveryState ?? {});
    expect(state.rootTs).toBe(said.ts); // under the person's own message
    expect(slack.thread(channel, said.ts).map((m) => m.via)).toEqual(["user", "chat.startStream"]);
    const firstCall = slack.calls.find(
      (c) =>
        c.method !== "apps.connections.open" &&
        c.method !== "auth.test" &&
        c.seq > ack.seq - 1000 &&
        JSON.stringify(c.args).includes(user),
    )!;
    expect(firstCall.seq).toBeGreaterThan(ack.seq); // acknowledged before the first call made for it
  });

  it("opens the form for /article over the socket (the ack carries no payload)", async () => {
    const channel = id("C");
    const user = id("U");
    // Over the socket a slash command is an envelope carrying the same fields Slack would post.
    const { triggerId, fields } = slack.commandFields({ user, channel, text: "digital twins" });
    const ack = await slack.socket.send("slash_commands", fields);
    expect(ack.payload).toEqual({});
    const view = await until("modal opened", () => slack.views.find((v) => v.triggerId === triggerId));
    expect(view.view.blocks.find((b: any) => b.block_id === "topic").element.initial_value).toBe(
      "digital twins",
    );
  });

  it("processes a redelivered envelope (same event_id, after a reconnect) once", async () => {
    const channel = id("C");
    const user = id("U");
    const text = `<@${slack.botUserId}> 5G private networks for factories, 300 words`;
    const said = slack.personSays({ channel, user, text });
    const body = slack.eventBody({ type: "app_mention", user, text, ts: said.ts, channel });
    await slack.socket.send("events_api", body);
    await delivered(`SLACK:${body.event_id}`);

    // The bot restarts (a new process would do the same): Slack redelivers the envelope.
    await ingress!.close();
    ingress = await startIngress();
    await slack.socket.connected();
    const again = await slack.socket.send("events_api", body, { retryAttempt: 1, retryReason: "timeout" });
    expect(again.envelopeId).toBeTruthy();
    const marker = slack.eventBody({
      type: "app_mention",
      user,
      text: `<@${slack.botUserId}> help`,
      ts: "1700000000.000400",
      channel,
    });
    await slack.socket.send("events_api", marker);
    await until("later envelope answered", () => slack.ephemerals.some((e) => e.channel === channel));
    expect(await app.db.prisma.generation.count({ where: { requester: { externalId: user } } })).toBe(1);
    expect(slack.messages(channel).filter((m) => m.via === "chat.startStream")).toHaveLength(1);
  });
});
