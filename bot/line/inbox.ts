import type { AppContext } from "../../core/app.ts";
import { createInbox as createCoreInbox, type InboxOptions } from "../../core/inbox/inbox.ts";
import type { Delivery } from "./events/index.ts";
import { parseDelivery } from "./webhook.ts";

/**
 * LINE's inbox: the core inbox (a Redis stream, or a database table on the embedded profile)
 * holding webhook deliveries as LINE sent them. LINE does not send an event again once it got a
 * 200 (redelivery is off unless the channel turns it on), so a delivery acknowledged is a
 * delivery kept, even if this process dies a moment later.
 */
export interface LineInbox {
  /** False when full. `raw` is the delivery's JSON as LINE sent it (stored as is, not re-encoded). */
  put(delivery: Delivery, raw: string): Promise<boolean>;
  /** Handles deliveries as they come, a few at a time; `handle` never throws. */
  start(handle: (delivery: Delivery) => Promise<void>): void;
  /** Stops taking work and waits for the deliveries in hand. */
  close(): Promise<void>;
}

export type { InboxOptions } from "../../core/inbox/inbox.ts";

export function createInbox(app: AppContext, opts: InboxOptions): LineInbox {
  const inbox = createCoreInbox(app, "line", opts);
  return {
    put: (delivery, raw) => inbox.put({ payload: raw, receivedAt: delivery.receivedAt }),
    start(handle) {
      inbox.start(async (entry) => {
        const delivery = parseDelivery(entry.payload, entry.receivedAt);
        if (delivery) await handle(delivery);
        else app.logger.error({ part: "line" }, "LINE inbox entry is not a webhook delivery; dropped");
      });
    },
    close: () => inbox.close(),
  };
}
