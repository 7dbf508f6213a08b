import { LineListeners } from "../ingress/dispatch.ts";
import * as events from "./events/index.ts";
import * as postbacks from "./postbacks/index.ts";

export type { ListenerDeps } from "./deps.ts";

/** Every listener, grouped by what LINE sends (webhook events, postback actions). */
export function registerListeners(): LineListeners {
  const listeners = new LineListeners();
  events.register(listeners);
  postbacks.register(listeners);
  return listeners;
}
