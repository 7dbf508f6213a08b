import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import * as articleRequest from "./article_request.ts";

export function register(app: App, deps: ListenerDeps): void {
  articleRequest.register(app, deps);
}
