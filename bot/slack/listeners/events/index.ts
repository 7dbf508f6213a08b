import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import * as appHomeOpened from "./app_home_opened.ts";
import * as appMention from "./app_mention.ts";
import * as messageIm from "./message_im.ts";

export function register(app: App, deps: ListenerDeps): void {
  appHomeOpened.register(app, deps);
  appMention.register(app, deps);
  messageIm.register(app, deps);
}
