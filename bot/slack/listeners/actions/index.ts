import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import * as downloadMarkdown from "./download_markdown.ts";
import * as feedback from "./feedback.ts";
import * as homeNewArticle from "./home_new_article.ts";
import * as regenerate from "./regenerate.ts";
import * as retry from "./retry.ts";
import * as shorten from "./shorten.ts";
import * as stop from "./stop.ts";

export function register(app: App, deps: ListenerDeps): void {
  regenerate.register(app, deps);
  shorten.register(app, deps);
  retry.register(app, deps);
  stop.register(app, deps);
  downloadMarkdown.register(app, deps);
  homeNewArticle.register(app, deps);
  feedback.register(app, deps);
}
