import type {
  ChatSink,
  DraftFailure,
  DraftHeader,
  DraftStopped,
  DraftSummary,
  DraftWaiting,
  SinkContext,
} from "../../core/deliver/sink.ts";
import type { Chunk } from "../../core/domain.ts";

export type SinkEvent =
  | { type: "start"; header: DraftHeader }
  | { type: "chunk"; chunk: Chunk }
  | { type: "finish"; summary: DraftSummary }
  | { type: "fail"; failure: DraftFailure }
  | { type: "stopped"; stop: DraftStopped }
  | { type: "waiting"; wait: DraftWaiting };

/** A ChatSink for tests: records what a platform would have posted, per conversation. */
export class RecordingSinks {
  readonly events = new Map<string, SinkEvent[]>();

  /** Chunks the pipeline passed again for an index already shown (idempotent mode only). */
  repeats = 0;

  /** Errors the next `finish` calls of a conversation throw, in order, before posting anything. */
  readonly finishErrors = new Map<string, Error[]>();

  /** A conversation's `finish` waits for this before it posts (a slow closing message). */
  readonly finishGates = new Map<string, Promise<void>>();

  /**
   * `idempotent`: behave like a platform sink, which shows a chunk index once even when the
   * pipeline passes it again after a failure (see ChatSink.postChunk), and count the repeats.
   */
  constructor(
    readonly maxChunkChars = 3_000,
    private readonly opts: { idempotent?: boolean } = {},
  ) {}

  factory = (ctx: SinkContext): ChatSink => {
    const conversation = String(ctx.destination.conversation);
    const log = (e: SinkEvent) => {
      const list = this.events.get(conversation) ?? [];
      list.push(e);
      this.events.set(conversation, list);
    };
    return {
      maxChunkChars: this.maxChunkChars,
      start: async (header) => log({ type: "start", header }),
      postChunk: async (chunk) => {
        if (this.opts.idempotent && this.chunks(conversation).some((c) => c.index === chunk.index)) {
          this.repeats++;
          return;
        }
        log({ type: "chunk", chunk });
      },
      finish: async (summary) => {
        const error = this.finishErrors.get(conversation)?.shift();
        if (error) throw error;
        await this.finishGates.get(conversation);
        log({ type: "finish", summary });
      },
      fail: async (failure) => log({ type: "fail", failure }),
      stopped: async (stop) => log({ type: "stopped", stop }),
      waiting: async (wait) => log({ type: "waiting", wait }),
    };
  };

  of(conversation: string): SinkEvent[] {
    return this.events.get(conversation) ?? [];
  }

  chunks(conversation: string): Chunk[] {
    return this.of(conversation).flatMap((e) => (e.type === "chunk" ? [e.chunk] : []));
  }

  ended(conversation: string): boolean {
    return this.of(conversation).some(
      (e) => e.type === "finish" || e.type === "fail" || e.type === "stopped",
    );
  }

  /** How many drafts (finished, failed or stopped) this conversation has seen end. */
  endings(conversation: string): number {
    return this.of(conversation).filter(
      (e) => e.type === "finish" || e.type === "fail" || e.type === "stopped",
    ).length;
  }
}
