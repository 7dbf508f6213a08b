import type { LineListeners } from "../../ingress/dispatch.ts";
import * as follow from "./follow.ts";
import * as join from "./join.ts";
import * as message from "./message.ts";
import * as postback from "./postback.ts";
import * as unfollow from "./unfollow.ts";

export function register(listeners: LineListeners): void {
  message.register(listeners);
  postback.register(listeners);
  follow.register(listeners);
  join.register(listeners);
  unfollow.register(listeners);
}
