import { App } from "@slack/bolt";
import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import type { HttpServer } from "../../ops/server.ts";
import { shortMemory } from "../shared/memory.ts";
import type { ChatPlatform } from "../shared/platform.ts";
import { RateBudget, TIER_PER_MINUTE, type Tier } from "./budget.ts";
import {
  createSlackClient,
  SlackClients,
  type SlackConfig,
  slackClientOptions,
  slackLogger,
} from "./client.ts";
import { AppHome } from "./home.ts";
import { SlackHttpReceiver } from "./ingress/http-receiver.ts";
import { createSlackInbox, isIntakeRefused } from "./ingress/inbox.ts";
import { SlackSocketReceiver } from "./ingress/socket-receiver.ts";
import { FrontDesk } from "./intake.ts";
import { registerListeners } from "./listeners/index.ts";
import { ChannelPacer } from "./pacer.ts";
import { People } from "./people.ts";
import { slackSinkFactory } from "./sink.ts";

export const SLACK_EVENTS_PATH = "/slack/events";

/** Tuning outside the environment contract; the defaults follow Slack's published limits. */
export interface SlackOptions {
  /** Gap between messages the bot posts into one channel (Slack: about 1 per second). */
  pacingMs?: number;
  /** Least time between two live-status edits of a parent message while writing. */
  statusIntervalMs?: number;
  /** After Slack said streaming is unavailable to the app, post plain messages this long before trying again. */
  streamingRetryMs?: number;
  /** Acknowledged requests worked on at once (each needs a database connection for a moment). */
  intakeConcurrency?: number;
  /** Acknowledged requests allowed to wait in the inbox; past this, every kind of request is turned away (503). */
  intakeBacklog?: number;
  /** A request taken by a bot process that has not finished it this long is taken over by another. */
  intakeReclaimAfterMs?: number;
  /** Calls per minute per workspace and method of each Slack tier (default Slack's published floors). */
  tierPerMinute?: Partial<Record<Exclude<Tier, "special">, number>>;
}

/**
 * The Slack app: Bolt listeners that turn mentions, DMs, /article, the "New article" shortcut
 * and button clicks into pipeline requests (ingress, in `bot`), and the sink that writes drafts
 * into threads (delivery, wherever the worker runs).
 */
export function slackPlatform(app: AppContext, options: SlackOptions = {}): ChatPlatform {
  const slack = app.config.slack;
  if (!slack) throw new Error("Slack is not configured (SLACK_BOT_TOKEN)");
  const logger = app.logger.child({ part: "slack" });
  const pacingMs = options.pacingMs ?? 1_100;
  // One per platform: the embedded profile's in-memory store must be shared by sink and ingress.
  const memory = shortMemory(app.redis, "ab:slack:");
  const pacer = new ChannelPacer(pacingMs);

  return {
    name: "slack",
    platform: "SLACK",

    sink: slackSinkFactory({
      db: app.db,
      clients: new SlackClients(
        slack,
        logger,
        new RateBudget({ ...TIER_PER_MINUTE, ...options.tierPerMinute }),
      ),
      pacer,
      streaming: { unavailableUntil: 0, retryMs: options.streamingRetryMs ?? 15 * 60_000 },
      logger,
      statusIntervalMs: options.statusIntervalMs ?? 5_000,
      memory,
    }),

    async startIngress(server: HttpServer, pipeline: Pipeline) {
      // Ack-first means Slack's deliveries can outpace the database: acknowledged requests wait
      // their turn in the inbox (stored, so a crash loses none), and past the backlog every kind
      // of request is turned away before any work (Events API deliveries get a 503; Slack retries).
      const reclaimAfterMs = options.intakeReclaimAfterMs ?? 120_000;
      const inbox = createSlackInbox(app, {
        concurrency: options.intakeConcurrency ?? 16,
        busyPerSecond: 200,
        maxWaiting: options.intakeBacklog ?? (app.redis ? 100_000 : 5_000),
        reclaimAfterMs,
      });
      let closing = false;
      const receiver = createReceiver(slack, app, () => closing || inbox.full());
      const identity = await whoAmI(slack, app);
      const interactive = createSlackClient(slack, logger, "interactive");
      const people = new People({ client: interactive, memory, logger });
      const home = new AppHome({ pipeline, people, client: interactive, memory, logger });
      const desk = new FrontDesk({
        pipeline,
        memory,
        people,
        client: interactive,
        pacer,
        inbox,
        reclaimAfterMs,
        logger,
      });
      inbox.start(async (intake) => void (await desk.handle(intake)));

      const bolt = new App({
        receiver,
        // Static: Bolt runs authorize before it acknowledges, so it must not touch a store.
        authorize: async () => ({
          botToken: slack.botToken,
          botId: identity.botId,
          botUserId: identity.botUserId,
        }),
        clientOptions: slackClientOptions(slack, logger, "interactive"),
        logger: slackLogger(logger),
        convoStore: false,
      });
      bolt.error(async (error) => {
        // Not kept: the receiver answers 503 instead of acknowledging, so Slack delivers it again.
        if (isIntakeRefused(error)) throw error;
        logger.error({ err: error.original ?? error, code: error.code }, "slack listener failed");
      });
      registerListeners(bolt, { desk, home, app });

      if (receiver instanceof SlackHttpReceiver) server.route("POST", SLACK_EVENTS_PATH, receiver.handle);
      await bolt.start();
      logger.info(
        { mode: receiver instanceof SlackHttpReceiver ? "http" : "socket" },
        "slack ingress started",
      );
      return {
        // No new deliveries, then finish the requests in hand; the rest wait in the inbox for
        // the next process (Slack will not send them again).
        close: async () => {
          closing = true;
          await bolt.stop();
          await inbox.close();
        },
      };
    },
  };
}

function createReceiver(
  slack: SlackConfig,
  app: AppContext,
  overloaded: () => boolean,
): SlackHttpReceiver | SlackSocketReceiver {
  const logger = app.logger.child({ part: "slack" });
  if (slack.appToken)
    return new SlackSocketReceiver({
      appToken: slack.appToken,
      clientOptions: slackClientOptions(slack, logger, "interactive"),
      logger,
    });
  if (!slack.signingSecret)
    throw new Error(
      "Slack HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode",
    );
  return new SlackHttpReceiver({ signingSecret: slack.signingSecret, logger, overloaded });
}

/**
 * The bot's own ids (auth.test), once at start-up: Bolt uses them to ignore the bot's own
 * messages. A Slack outage at start-up must not stop the bot, so failure leaves them unknown
 * (our listeners skip bot messages by bot_id as well).
 */
async function whoAmI(slack: SlackConfig, app: AppContext): Promise<{ botId?: string; botUserId?: string }> {
  try {
    const res = await createSlackClient(slack, app.logger, "interactive").auth.test();
    return { botId: res.bot_id, botUserId: res.user_id };
  } catch (error) {
    app.logger.warn(
      { err: (error as Error).message },
      "slack auth.test failed at start-up; continuing without the bot's ids",
    );
    return {};
  }
}
