import type { AppContext } from "../core/app.ts";
import type { Platform } from "../core/db/client.ts";
import type { SinkFactory } from "../core/deliver/sink.ts";
import { linePlatform } from "./line/index.ts";
import type { ChatPlatform } from "./shared/platform.ts";
import { slackPlatform } from "./slack/index.ts";

/** The chat platforms this configuration turns on (each needs its tokens set). */
/** The sinks of these platforms, for createPipeline. */
export function sinksOf(platforms: ChatPlatform[]): Partial<Record<Platform, SinkFactory>> {
  return Object.fromEntries(platforms.map((p) => [p.platform, p.sink]));
}

export function configuredPlatforms(app: AppContext): ChatPlatform[] {
  const platforms: ChatPlatform[] = [];
  if (app.config.slack) platforms.push(slackPlatform(app));
  if (app.config.line) platforms.push(linePlatform(app));
  return platforms;
}
