import type { App } from "@slack/bolt";
import * as actions from "./actions/index.ts";
import * as commands from "./commands/index.ts";
import type { ListenerDeps } from "./deps.ts";
import * as events from "./events/index.ts";
import * as shortcuts from "./shortcuts/index.ts";
import * as views from "./views/index.ts";

export type { ListenerDeps } from "./deps.ts";

/** Every listener, grouped by what Slack sends (events, commands, shortcuts, views, actions). */
export function registerListeners(app: App, deps: ListenerDeps): void {
  events.register(app, deps);
  commands.register(app, deps);
  shortcuts.register(app, deps);
  views.register(app, deps);
  actions.register(app, deps);
}
