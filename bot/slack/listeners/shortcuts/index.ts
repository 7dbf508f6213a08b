import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import * as newArticle from "./new_article.ts";

export function register(app: App, deps: ListenerDeps): void {
  newArticle.register(app, deps);
}
