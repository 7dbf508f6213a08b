import type { AppContext } from "../../../core/app.ts";
import { createInbox as createCoreInbox, type InboxOptions } from "../../../core/inbox/inbox.ts";
import { parseWebhookBatch, type WebhookBatch } from "./webhook.ts";

/**
 * LINE's inbox: the core inbox (a Redis stream, or a database table on the embedded profile)
 * holding webhook batches as LINE sent them. LINE does not send an event again once it got a
 * 200 (redelivery is off unless the channel turns it on), so a batch acknowledged is a batch
 * kept, even if this process dies a moment later.
 */
export interface LineInbox {
  /** False when full. `raw` is the batch's JSON as LINE sent it (stored as is, not re-encoded). */
  put(batch: WebhookBatch, raw: string): Promise<boolean>;
  /** Handles batches as they come, a few at a time; `handle` never throws. */
  start(handle: (batch: WebhookBatch) => Promise<void>): void;
  /** Stops taking work and waits for the batches in hand. */
  close(): Promise<void>;
}

export type { InboxOptions } from "../../../core/inbox/inbox.ts";

export function createInbox(app: AppContext, opts: InboxOptions): LineInbox {
  const inbox = createCoreInbox(app, "line", opts);
  return {
    put: (batch, raw) => inbox.put({ payload: raw, receivedAt: batch.receivedAt }),
    start(handle) {
      inbox.start(async (entry) => {
        const batch = parseWebhookBatch(entry.payload, entry.receivedAt);
        if (batch) await handle(batch);
        else app.logger.error({ part: "line" }, "LINE inbox entry is not a webhook batch; dropped");
      });
    },
    close: () => inbox.close(),
  };
}
