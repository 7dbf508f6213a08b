import type { AppContext } from "../core/app.ts";
import type { ChatPlatform } from "./platform.ts";

/** The chat platforms this configuration turns on (each needs its tokens set). */
export function configuredPlatforms(app: AppContext): ChatPlatform[] {
  const platforms: ChatPlatform[] = [];
  void app;
  return platforms;
}
