import { z } from "zod";
import type { Chunk } from "../domain.ts";
import { readJson } from "../records/json.ts";
import type { ChatSink, SinkFactory } from "./sink.ts";

const ConsoleDeliverySchema = z.object({
  chunks: z.array(z.object({ index: z.number().int(), text: z.string() })).optional(),
  cacheHit: z.boolean().optional(),
  finished: z
    .object({ words: z.number(), sources: z.array(z.object({ title: z.string() })), offline: z.boolean() })
    .optional(),
  failed: z.object({ code: z.string(), refunded: z.boolean() }).optional(),
  stopped: z.object({ chunksDelivered: z.number().int(), refunded: z.boolean() }).optional(),
});
/** What the console playground reads back from a generation's delivery state. */
export type ConsoleDelivery = z.infer<typeof ConsoleDeliverySchema>;

export function readConsoleDelivery(state: Record<string, unknown>): ConsoleDelivery {
  return readJson(ConsoleDeliverySchema, state, "Generation.deliveryState (console)");
}

/**
 * The playground's "chat": chunks are kept in the generation's delivery state, so the console
 * (maybe another process than the worker) shows them as they land by reading the row.
 */
export const consoleSink: SinkFactory = (ctx): ChatSink => {
  let delivered: Chunk[] = (readConsoleDelivery(ctx.state).chunks ?? []).slice();
  return {
    maxChunkChars: 3_000,
    start: (header) => ctx.saveState({ cacheHit: header.cacheHit }),
    postChunk: async (chunk) => {
      delivered = [...delivered.filter((c) => c.index !== chunk.index), chunk];
      await ctx.saveState({ chunks: delivered });
    },
    finish: (s) =>
      ctx.saveState({
        finished: { words: s.words, sources: s.sources.map((x) => ({ title: x.title })), offline: s.offline },
      }),
    fail: (f) => ctx.saveState({ failed: { code: f.code, refunded: f.refunded } }),
    stopped: (s) => ctx.saveState({ stopped: { chunksDelivered: s.chunksDelivered, refunded: s.refunded } }),
  };
};
