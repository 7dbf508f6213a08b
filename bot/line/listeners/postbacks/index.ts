import type { LineListeners } from "../../ingress/dispatch.ts";
import * as angle from "./angle.ts";
import * as continueReading from "./continue.ts";
import * as menu from "./menu.ts";
import * as newTopic from "./new_topic.ts";
import * as pickIndustry from "./pick_industry.ts";
import * as pickLength from "./pick_length.ts";
import * as shorter from "./shorter.ts";
import * as vote from "./vote.ts";

export function register(listeners: LineListeners): void {
  shorter.register(listeners);
  angle.register(listeners);
  newTopic.register(listeners);
  pickIndustry.register(listeners);
  pickLength.register(listeners);
  menu.register(listeners);
  continueReading.register(listeners);
  vote.register(listeners);
}
