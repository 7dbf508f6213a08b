import type { webhook } from "@line/bot-sdk";
import { EVENT_TTL_SECONDS, type Incoming, type LineContext } from "./context.ts";

/** Longer than any event takes to handle, shorter than the inbox's wait before retrying a dead process's job. */
const HANDLING_TTL_SECONDS = 30;

import { onFollow, onJoin } from "./follow.ts";
import { onMessage } from "./message.ts";
import { onPostback } from "./postback.ts";

export type { LineContext } from "./context.ts";

/** One verified webhook delivery: the bot's user id and its events, in the order LINE sent them. */
export interface Delivery {
  destination: string;
  events: webhook.Event[];
  receivedAt: number;
}

/**
 * Handles a delivery's events one after another (a person's messages keep their order). Each
 * event is claimed by its webhookEventId first, so a redelivery is answered once: briefly while
 * it is handled (a process that dies mid-event lets the inbox's retry have it), for ten minutes
 * once done. A handler that fails gives its claim back, so a redelivery can try again. Never throws.
 */
export async function handleDelivery(ctx: LineContext, delivery: Delivery): Promise<void> {
  for (const event of delivery.events) {
    if (!event || typeof event !== "object" || typeof event.webhookEventId !== "string") continue;
    // Standby events belong to another channel's module; only the active channel may answer.
    if (event.mode === "standby") continue;
    const claim = `event:${event.webhookEventId}`;
    try {
      if (!(await claimOrAssume(ctx, claim))) continue;
      await dispatch(ctx, { event, channel: delivery.destination, receivedAt: delivery.receivedAt });
      await ctx.memory.set(claim, "done", EVENT_TTL_SECONDS).catch(() => undefined);
    } catch (err) {
      ctx.logger.error(
        { err, eventType: event.type, webhookEventId: event.webhookEventId },
        "LINE event handling failed",
      );
      await ctx.memory.delete(claim).catch(() => undefined);
    }
  }
}

async function dispatch(ctx: LineContext, incoming: Incoming): Promise<void> {
  const { event } = incoming;
  switch (event.type) {
    case "message":
      return onMessage(ctx, incoming as Incoming<webhook.MessageEvent>);
    case "postback":
      return onPostback(ctx, incoming as Incoming<webhook.PostbackEvent>);
    case "follow":
      return onFollow(ctx, incoming as Incoming<webhook.FollowEvent>);
    case "join":
      return onJoin(ctx, incoming as Incoming<webhook.JoinEvent>);
    default:
      return; // unfollow, leave, unsend, read receipts...: nothing to answer
  }
}

/** Redis down: answer anyway (the pipeline's own per-event key still prevents a second draft). */
async function claimOrAssume(ctx: LineContext, key: string): Promise<boolean> {
  try {
    return await ctx.memory.claim(key, HANDLING_TTL_SECONDS);
  } catch (err) {
    ctx.logger.warn({ err }, "LINE event dedup unavailable; handling the event anyway");
    return true;
  }
}
