import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import * as article from "./article.ts";

export function register(app: App, deps: ListenerDeps): void {
  article.register(app, deps);
}
