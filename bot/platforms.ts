import type { AppContext } from "../core/app.ts";
import { linePlatform } from "./line/index.ts";
import type { ChatPlatform } from "./platform.ts";

/** The chat platforms this configuration turns on (each needs its tokens set). */
export function configuredPlatforms(app: AppContext): ChatPlatform[] {
  const platforms: ChatPlatform[] = [];
  if (app.config.line) platforms.push(linePlatform(app));
  void app;
  return platforms;
}
