import { setTimeout as sleep } from "node:timers/promises";
import type { AppContext } from "../../core/app.ts";
import type { Language } from "../../core/domain.ts";
import { deliveryStateOf } from "../../core/records/draft-lookup.ts";
import { toJsonColumn } from "../../core/records/json.ts";
import { continueCard } from "./card.ts";
import type { LineApi } from "./client.ts";
import { readLineDeliveryState } from "./delivery-state.ts";
import { destinationFor, type LineChat } from "./destination.ts";
import { LineSink, type LineSinkDeps } from "./sink.ts";

/**
 * A "Continue reading" tap: the next part of a draft by the tap's own reply token, which is
 * fresh and free. The sink that wrote the draft saved what is left in the generation's
 * delivery state and parked it; this process picks it up from there. A draft still being
 * written is waited for while the token is good, then the person is asked to tap again.
 */

export interface Continuation {
  app: AppContext;
  api: LineApi;
  sinkDeps: LineSinkDeps;
  /** How long a tap waits for a draft still being written (its reply token lasts ~60 s). */
  waitMs: number;
}

export async function continueDraft(
  c: Continuation,
  tap: { generationId: string; chat: LineChat; replyToken: string; receivedAt: number; lang: Language },
): Promise<"sent" | "writing" | "none"> {
  const until = tap.receivedAt + c.waitMs;
  for (;;) {
    const saved = await deliveryStateOf(c.app.db, tap.generationId);
    if (!saved) return "none";
    const state = readLineDeliveryState(saved);
    if (state.parked || state.done || Date.now() >= until) break;
    await sleep(250);
  }
  let state = (await deliveryStateOf(c.app.db, tap.generationId)) ?? {};
  const sink = new LineSink(c.sinkDeps, {
    destination: destinationFor(tap.chat, tap.replyToken, tap.receivedAt, tap.lang),
    state,
    saveState: async (patch) => {
      state = { ...state, ...patch };
      await c.app.db.prisma.generation.update({
        where: { id: tap.generationId },
        data: { deliveryState: toJsonColumn(state) },
      });
    },
  });
  const outcome = await sink.continueReading(tap.replyToken, tap.generationId);
  if (outcome === "writing")
    await c.api.reply(tap.replyToken, [continueCard(tap.generationId, tap.lang, "writing")]);
  return outcome;
}
