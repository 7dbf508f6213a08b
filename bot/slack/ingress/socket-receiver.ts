import { createRequire } from "node:module";
import type { App, Receiver, SocketModeReceiver, webApi } from "@slack/bolt";
import type { Logger } from "../../../core/logger.ts";
import { slackLogger } from "../client.ts";
import { isIntakeRefused } from "./inbox.ts";

type SocketModeClient = SocketModeReceiver["client"];
type SocketModeClientClass = new (options: {
  appToken: string;
  logger?: ReturnType<typeof slackLogger>;
  clientOptions?: webApi.WebClientOptions;
  autoReconnectEnabled?: boolean;
}) => SocketModeClient;

/**
 * Bolt's receiver for Socket Mode (when SLACK_APP_TOKEN is set): Slack pushes events over a
 * WebSocket and each envelope is acknowledged on it. Bolt's own SocketModeReceiver cannot be
 * pointed at another Web API URL (SLACK_API_URL), so this one drives the same SocketModeClient
 * (Bolt's dependency) with our client options and hands envelopes to Bolt the same way.
 */
export class SlackSocketReceiver implements Receiver {
  readonly client: SocketModeClient;
  private bolt: App | null = null;

  constructor(opts: { appToken: string; clientOptions: webApi.WebClientOptions; logger: Logger }) {
    const fromBolt = createRequire(createRequire(import.meta.url).resolve("@slack/bolt"));
    const { SocketModeClient } = fromBolt("@slack/socket-mode") as {
      SocketModeClient: SocketModeClientClass;
    };
    this.client = new SocketModeClient({
      appToken: opts.appToken,
      logger: slackLogger(opts.logger),
      // Reconnecting is worth waiting for; the SDK would otherwise retry 100 times.
      clientOptions: {
        ...opts.clientOptions,
        // Only connection calls go through this client: waiting out a 429 is right for them.
        rejectRateLimitedCalls: false,
        retryConfig: { retries: 20, factor: 1.5, minTimeout: 500, maxTimeout: 30_000 },
      },
    });
    this.client.on(
      "slack_event",
      async (args: {
        ack: (response?: unknown) => Promise<void>;
        // biome-ignore lint/suspicious/noExplicitAny: Bolt's ReceiverEvent body is typed `any`
        body: Record<string, any>;
        retry_num?: number;
        retry_reason?: string;
      }) => {
        // As over HTTP: an event is acknowledged once its listener kept it in the inbox, a
        // command or interaction when its listener says so. Not kept: not acknowledged, and
        // Slack delivers the envelope again.
        const isEvent = args.body.type === "event_callback";
        let acked = false;
        const send = async (response?: unknown) => {
          if (acked) return;
          acked = true;
          await args
            .ack(response as Record<string, unknown> | undefined)
            .catch((err: unknown) => opts.logger.warn({ err }, "could not acknowledge a slack envelope"));
        };
        const ack = async (response?: unknown) => {
          if (!isEvent) await send(response);
        };
        try {
          await this.bolt!.processEvent({
            body: args.body,
            ack,
            retryNum: args.retry_num,
            retryReason: args.retry_reason,
          });
        } catch (error) {
          if (isIntakeRefused(error)) return;
          opts.logger.error({ err: error }, "slack envelope processing failed");
        }
        await send();
      },
    );
  }

  init(app: App): void {
    this.bolt = app;
  }

  async start(): Promise<unknown> {
    return this.client.start();
  }

  async stop(): Promise<void> {
    await this.client.disconnect();
  }
}
