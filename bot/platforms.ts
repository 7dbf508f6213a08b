import type { AppContext } from "../core/app.ts";
import { linePlatform } from "./line/index.ts";
import type { ChatPlatform } from "./platform.ts";
import { slackPlatform } from "./slack/index.ts";

/** The chat platforms this configuration turns on (each needs its tokens set). */
export function configuredPlatforms(app: AppContext): ChatPlatform[] {
  const platforms: ChatPlatform[] = [];
  if (app.config.slack) platforms.push(slackPlatform(app));
  if (app.config.line) platforms.push(linePlatform(app));
  return platforms;
}
