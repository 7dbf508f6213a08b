import type { AppContext } from "../../core/app.ts";
import type { Platform } from "../../core/db/client.ts";
import type { SinkFactory } from "../../core/deliver/sink.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import type { HttpServer } from "../../ops/server.ts";

/**
 * A chat platform (Slack, LINE) as the composition root sees it. The two halves run in
 * different processes in production: ingress in `bot`, delivery in `worker`.
 */
export interface ChatPlatform {
  name: string;
  platform: Platform;
  /** The platform's ChatSink, handed to createPipeline wherever a worker runs. */
  sink: SinkFactory;
  /** Starts taking requests: HTTP routes on the bot server, or a Socket Mode connection. */
  startIngress(server: HttpServer, pipeline: Pipeline): Promise<{ close(): Promise<void> }>;
}

export type ChatPlatformFactory = (app: AppContext) => ChatPlatform;
