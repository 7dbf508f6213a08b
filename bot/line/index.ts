import type { AppContext } from "../../core/app.ts";
import { recordDraftMessages } from "../../core/conversation/drafts.ts";
import { deliveryStateOf } from "../../core/records/draft-lookup.ts";
import { recordDeliveryComplete } from "../../core/records/generations.ts";
import { shortMemory } from "../shared/memory.ts";
import type { ChatPlatform } from "../shared/platform.ts";
import { LineApi } from "./client.ts";
import { continueDraft } from "./continuation.ts";
import { handleBatch } from "./ingress/dispatch.ts";
import { createInbox } from "./ingress/inbox.ts";
import { lineWebhook, type WebhookBatch } from "./ingress/webhook.ts";
import { type ListenerDeps, registerListeners } from "./listeners/index.ts";
import { watchMessageQuota } from "./quota.ts";
import { type LineSinkDeps, lineSinkFactory, readLineDeliveryState } from "./sink.ts";

/**
 * LINE: clients message the company's Official Account and get their draft back in the chat.
 * Ingress is `POST /line/webhook` on the bot server; delivery is the "LINE" sink, run by
 * whichever worker writes the draft.
 */

export interface LinePlatformOptions {
  /** Webhook batches handled at once per process, and waiting, before 503 (defaults suit one 2-core machine). */
  concurrency?: number;
  /** Webhook batches per second above which the process handles one at a time (acknowledging first). */
  busyPerSecond?: number;
  maxWaiting?: number;
  /** A batch a dead bot process had taken is handled elsewhere after this long. */
  reclaimAfterMs?: number;
  /** Replaces LINE_REPLY_DEADLINE_SECONDS in milliseconds (tests). */
  replyDeadlineMs?: number;
}

export function linePlatform(app: AppContext, opts: LinePlatformOptions = {}): ChatPlatform {
  const config = app.config.line;
  if (!config)
    throw new Error("LINE is not configured: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN");
  const logger = app.logger.child({ part: "line" });
  const api = new LineApi({ accessToken: config.accessToken, baseUrl: config.apiBaseUrl });
  const sinkDeps: LineSinkDeps = {
    api,
    logger,
    replyDeadlineMs: opts.replyDeadlineMs ?? config.replyDeadlineSeconds * 1000,
    recordMessages: (generationId, ids) => recordDraftMessages(app.db, generationId, "LINE", ids),
    onComplete: (generationId) => recordDeliveryComplete(app.db, generationId),
    isCurrentAttempt: async (generationId, attempt) => {
      const state = await deliveryStateOf(app.db, generationId);
      return state !== null && readLineDeliveryState(state).attempt === attempt;
    },
  };
  const sink = lineSinkFactory(sinkDeps);

  return {
    name: "LINE",
    platform: "LINE",

    sink,

    async startIngress(server, pipeline) {
      let botName = "";
      const ctx: ListenerDeps = {
        app,
        pipeline,
        api,
        memory: shortMemory(app.redis, "ab:line:"),
        logger,
        botName: () => botName,
        aliases: config.aliases,
        continueDraft: (tap) =>
          continueDraft(
            { app, api, sinkDeps, waitMs: opts.replyDeadlineMs ?? config.replyDeadlineSeconds * 1000 },
            tap,
          ),
      };
      const inbox = createInbox(app, {
        // As many as Slack's inbox: during a flood the inbox drops to one at a time by itself
        // (busyPerSecond), so acknowledging stays fast; once calm, the backlog drains at full speed.
        concurrency: opts.concurrency ?? 16,
        busyPerSecond: opts.busyPerSecond ?? 200,
        maxWaiting: opts.maxWaiting ?? (app.redis ? 100_000 : 5_000),
        reclaimAfterMs: opts.reclaimAfterMs ?? 120_000,
      });
      const listeners = registerListeners();
      inbox.start((batch) => handleBatch(ctx, listeners, batch));
      let closing = false;
      // While shutting down, 503: LINE redelivers to a process that will still be here.
      const accept = async (batch: WebhookBatch, raw: string) => !closing && (await inbox.put(batch, raw));
      server.route(
        "POST",
        "/line/webhook",
        lineWebhook({ channelSecret: config.channelSecret, logger, accept }),
      );
      let quota: { stop(): void } | null = null;
      // Checks the access token early and names the tenant; the webhook works without it.
      void api.botInfo().then(
        (info) => {
          botName = info.displayName;
          if (!closing) quota = watchMessageQuota(app, api, info.userId, logger);
          logger.info({ bot: info.basicId, name: info.displayName }, "LINE Official Account connected");
        },
        (err) => logger.warn({ err }, "LINE bot info unavailable; check LINE_CHANNEL_ACCESS_TOKEN"),
      );
      return {
        async close() {
          closing = true;
          quota?.stop();
          await inbox.close();
        },
      };
    },
  };
}
