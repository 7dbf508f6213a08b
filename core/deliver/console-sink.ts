import type { Chunk } from "../domain.ts";
import type { ChatSink, SinkFactory } from "./sink.ts";

/** What the console playground reads back from a generation's delivery state. */
export interface ConsoleDelivery {
  chunks?: Chunk[];
  cacheHit?: boolean;
  finished?: { words: number; sources: { title: string }[]; offline: boolean };
  failed?: { code: string; refunded: boolean };
  stopped?: { chunksDelivered: number; refunded: boolean };
}

/**
 * The playground's "chat": chunks are kept in the generation's delivery state, so the console
 * (maybe another process than the worker) shows them as they land by reading the row.
 */
export const consoleSink: SinkFactory = (ctx): ChatSink => {
  let delivered = ((ctx.state as ConsoleDelivery).chunks ?? []).slice();
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
