import type { AppContext } from "../core/app.ts";
import type { Platform } from "../core/db/client.ts";
import type { SinkFactory } from "../core/deliver/sink.ts";
import type { ChatPlatform } from "./shared/platform.ts";

/** The chat platforms this configuration turns on (each needs its tokens set). */
/** The sinks of these platforms, for createPipeline. */
export function sinksOf(platforms: ChatPlatform[]): Partial<Record<Platform, SinkFactory>> {
  return Object.fromEntries(platforms.map((p) => [p.platform, p.sink]));
}

/**
 * Each platform's code (and its SDK: Bolt and its HTTP stack, the LINE SDK) is loaded only when
 * the platform is configured: together they hold ~80 MiB a process that does not use them
 * should not pay (the embedded defaults configure neither).
 */
export async function configuredPlatforms(app: AppContext): Promise<ChatPlatform[]> {
  const platforms: ChatPlatform[] = [];
  if (app.config.slack) platforms.push((await import("./slack/index.ts")).slackPlatform(app));
  if (app.config.line) platforms.push((await import("./line/index.ts")).linePlatform(app));
  return platforms;
}
