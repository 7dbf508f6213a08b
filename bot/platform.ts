import type { AppContext } from "../core/app.ts";
import type { Pipeline } from "../core/pipeline/index.ts";
import type { BotServer } from "./server.ts";

/**
 * A chat platform (Slack, LINE) as the composition root sees it. The two halves run in
 * different processes in production: ingress in `bot`, delivery in `worker`.
 */
export interface ChatPlatform {
  name: string;
  /** Registers the platform's ChatSink; called wherever the pipeline's worker runs. */
  registerSink(pipeline: Pipeline): void;
  /** Starts taking requests: HTTP routes on the bot server, or a Socket Mode connection. */
  startIngress(server: BotServer, pipeline: Pipeline): Promise<{ close(): Promise<void> }>;
}

export type ChatPlatformFactory = (app: AppContext) => ChatPlatform;
