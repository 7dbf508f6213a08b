import type { webhook } from "@line/bot-sdk";
import type { Language } from "../../../core/domain.ts";
import type { LineAction } from "../actions.ts";
import type { LineChat } from "../destination.ts";
import { EVENT_TTL_SECONDS, type Incoming, type ListenerDeps } from "../listeners/deps.ts";
import type { WebhookBatch } from "./webhook.ts";

/**
 * A signed event older than this is a replay (a captured delivery sent again), not LINE: it is
 * dropped — unless LINE itself says it is redelivering it (`deliveryContext.isRedelivery`).
 */
export const REPLAY_WINDOW_MS = 5 * 60_000;

/** Longer than any event takes to handle, shorter than the inbox's wait before retrying a dead process's job. */
const HANDLING_TTL_SECONDS = 30;

type EventOf<T extends webhook.Event["type"]> = Extract<webhook.Event, { type: T }>;
type ActionOf<K extends LineAction["kind"]> = Extract<LineAction, { kind: K }>;

export type EventListener<E extends webhook.Event> = (
  ctx: ListenerDeps,
  incoming: Incoming<E>,
) => Promise<void>;

/**
 * A tapped button (quick reply, result card or rich menu): who tapped it (`person.requester` is
 * the group itself for a member LINE does not name), what it asks for, the language to answer in.
 */
export interface Tap<A extends LineAction = LineAction> {
  incoming: Incoming<webhook.PostbackEvent>;
  person: LineChat;
  action: A;
  lang: Language;
}

export type PostbackListener<A extends LineAction> = (ctx: ListenerDeps, tap: Tap<A>) => Promise<void>;

/**
 * LINE's listeners by what LINE sends, as Bolt's `app.event` and `app.action` are for Slack:
 * one listener per webhook event type, one per postback action. `listeners/<kind>/index.ts`
 * registers them; an event or action without a listener is ignored (unsend, leave...).
 */
export class LineListeners {
  private readonly events = new Map<string, EventListener<webhook.Event>>();
  private readonly postbacks = new Map<string, PostbackListener<LineAction>>();

  event<T extends webhook.Event["type"]>(type: T, listener: EventListener<EventOf<T>>): void {
    // The map is keyed by type, so a listener only ever receives events of its own type.
    this.events.set(type, listener as EventListener<webhook.Event>);
  }

  postback<K extends LineAction["kind"]>(kind: K, listener: PostbackListener<ActionOf<K>>): void {
    this.postbacks.set(kind, listener as PostbackListener<LineAction>);
  }

  async onEvent(ctx: ListenerDeps, incoming: Incoming): Promise<void> {
    await this.events.get(incoming.event.type)?.(ctx, incoming);
  }

  async onTap(ctx: ListenerDeps, tap: Tap): Promise<void> {
    await this.postbacks.get(tap.action.kind)?.(ctx, tap);
  }
}

/**
 * Handles a batch's events one after another (a person's messages keep their order). Each
 * event is claimed by its webhookEventId first, so a redelivery is answered once: briefly while
 * it is handled (a process that dies mid-event lets the inbox's retry have it), for a day
 * once done. Events older than the replay window are dropped first. A listener that fails gives its claim back, so a redelivery can try again. Never throws.
 */
export async function handleBatch(
  ctx: ListenerDeps,
  listeners: LineListeners,
  batch: WebhookBatch,
): Promise<void> {
  for (const event of batch.events) {
    if (!event || typeof event !== "object" || typeof event.webhookEventId !== "string") continue;
    // Standby events belong to another channel's module; only the active channel may answer.
    if (event.mode === "standby") continue;
    if (isReplay(event, batch.receivedAt)) {
      ctx.logger.warn(
        {
          eventType: event.type,
          webhookEventId: event.webhookEventId,
          ageMs: batch.receivedAt - event.timestamp,
        },
        "LINE event older than the replay window dropped",
      );
      continue;
    }
    const claim = `event:${event.webhookEventId}`;
    try {
      if (!(await claimOrAssume(ctx, claim))) continue;
      await listeners.onEvent(ctx, { event, channel: batch.destination, receivedAt: batch.receivedAt });
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

function isReplay(event: webhook.Event, receivedAt: number): boolean {
  if (event.deliveryContext?.isRedelivery === true) return false;
  return typeof event.timestamp !== "number" || receivedAt - event.timestamp > REPLAY_WINDOW_MS;
}

/** Redis down: answer anyway (the pipeline's own per-event key still prevents a second draft). */
async function claimOrAssume(ctx: ListenerDeps, key: string): Promise<boolean> {
  try {
    return await ctx.memory.claim(key, HANDLING_TTL_SECONDS);
  } catch (err) {
    ctx.logger.warn({ err }, "LINE event dedup unavailable; handling the event anyway");
    return true;
  }
}
