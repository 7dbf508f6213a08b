import type { LinePushPolicy, Platform } from "../db/client.ts";
import type { ArticleRequest, Chunk, RevisionKind, SourceRef } from "../domain.ts";

/**
 * Where a draft goes: a Slack thread, a LINE chat, the console playground. The platform code
 * (bot/, admin/) implements it; the pipeline only ever talks to this interface.
 *
 * A job may run more than once (a worker died, a retry): `state` is what the sink saved on
 * an earlier attempt (its thread ts, the reply token it used...), and chunk indexes below
 * `alreadyDelivered` are never passed again, so a retried job continues the same thread.
 */
export interface ChatSink {
  /** The chunk size the platform can show in one message (Slack section 3,000; LINE 5,000). */
  readonly maxChunkChars: number;
  /** Announce the work (parent message, loading animation). Called once per attempt. */
  start(header: DraftHeader): Promise<void>;
  /**
   * Post one chunk. The pipeline records each chunk after the sink returns, so a crash or a
   * database error in between means the same index may be passed again on the next attempt:
   * sinks make this idempotent per index with what the platform offers (LINE's retry key, the
   * Slack thread's saved message ts, the console's chunk list).
   */
  postChunk(chunk: Chunk): Promise<void>;
  /**
   * The model's text as it arrives, before the chunker has a whole chunk. Optional: a sink that
   * can show text as it is written (Slack's streamed message) shows it from here, and then treats
   * `postChunk` as "this much is recorded" rather than as the text to show. Must return at once
   * (buffer, send in the background); it is called for every model delta.
   */
  draftDelta?(text: string): void;
  /**
   * A finished draft at once (a topic-cache hit): all its chunks in one call. Optional; without
   * it each chunk goes through `postChunk`. The pipeline records them all after it returns.
   */
  postChunks?(chunks: Chunk[]): Promise<void>;
  /**
   * Post the end: whatever the sink still holds, then the closing message. The generation is
   * DELIVERED only after this returns, and the conversation's next turn waits for it. It may be
   * called again after a crash (the draft is not written twice; `finish` runs again from the
   * row), so sinks make it idempotent with their saved state: what was accepted is not sent
   * twice. Throw `DeliveryIncomplete` when the end is not in the chat and will not be by retrying
   * (it waits for the person, or the platform refused): the generation is recorded DELIVERED with
   * that code, and a sink that delivers the end later clears it. Any other error is retried.
   */
  finish(summary: DraftSummary): Promise<void>;
  /** Tell the person it failed, in their language, never with internals. */
  fail(failure: DraftFailure): Promise<void>;
  /**
   * The person asked to stop: mark what was posted as stopped. Optional; without it the
   * pipeline says nothing more (the platform already answered the "stop" itself).
   */
  stopped?(stop: DraftStopped): Promise<void>;
  /**
   * This draft waits for another one in the same conversation to finish first. Optional; a
   * platform that already posted a notice from `converse`'s "waiting" answer leaves it out.
   */
  waiting?(wait: DraftWaiting): Promise<void>;
}

export interface DraftStopped {
  generationId: string;
  request: ArticleRequest;
  /** Chunks that were posted before it stopped. */
  chunksDelivered: number;
  /** The article slot (or the revision) was given back. */
  refunded: boolean;
}

export interface DraftWaiting {
  generationId: string;
  request: ArticleRequest;
  /** Drafts ahead of this one in the conversation. */
  ahead: number;
}

/** Calls a sink's optional `stopped`, so callers need not check whether the platform has one. */
export async function tellStopped(sink: ChatSink, stop: DraftStopped): Promise<void> {
  await sink.stopped?.(stop);
}

export async function tellWaiting(sink: ChatSink, wait: DraftWaiting): Promise<void> {
  await sink.waiting?.(wait);
}

/**
 * The draft is written but its end is not in the chat: `code` says why ("awaiting_continue":
 * it waits for the person's "Continue reading" tap; "line_monthly_limit": the account's pushes
 * are used up; "reply_expired": no free reply could carry it and the tier allows no push).
 * The generation is recorded with this error code; a sink that delivers the end later clears it.
 */
export class DeliveryIncomplete extends Error {
  override readonly name = "DeliveryIncomplete";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DraftHeader {
  generationId: string;
  /** The requester's tier's rule for LINE's paid pushes (other platforms ignore it). */
  linePushPolicy?: LinePushPolicy;
  request: ArticleRequest;
  /** Notes from parsing for the person (e.g. "capped at your tier's 800 words"). */
  notes: string[];
  cacheHit: boolean;
  /** True when this attempt continues a draft an earlier attempt had started posting. */
  resumed: boolean;
  /** Set when this is a new version of a draft: what changed, and which version it revises. */
  revision?: { kind: RevisionKind; instruction: string; revisesId: string };
}

export interface DraftSummary {
  generationId: string;
  request: ArticleRequest;
  words: number;
  sources: SourceRef[];
  cacheHit: boolean;
  /** The offline composer made an outline, not prose (no LLM configured). */
  offline: boolean;
  /** The whole draft as markdown, for "download as .md". */
  draft: string;
}

export interface DraftFailure {
  generationId: string;
  request: ArticleRequest;
  /** Stable code: "rate_limited", "unavailable", "timeout", "circuit_open", "internal". */
  code: string;
  /** The article's quota was given back. */
  refunded: boolean;
}

/** Opaque, JSON-serializable address of a conversation, as the platform created it. */
export interface Destination {
  platform: Platform;
  [key: string]: unknown;
}

/** Persists the sink's own bookkeeping with the generation, for the next attempt. */
export type SaveDeliveryState = (state: Record<string, unknown>) => Promise<void>;

export interface SinkContext {
  destination: Destination;
  state: Record<string, unknown>;
  saveState: SaveDeliveryState;
}

/** How a platform builds its sink from a destination (handed to createPipeline). */
export type SinkFactory = (ctx: SinkContext) => ChatSink;

export class SinkRegistry {
  private readonly factories = new Map<Platform, SinkFactory>();

  /** Every sink is known when the pipeline is made: no worker can start before its sinks exist. */
  constructor(factories: Partial<Record<Platform, SinkFactory>>) {
    for (const [platform, factory] of Object.entries(factories) as Array<[Platform, SinkFactory]>)
      this.factories.set(platform, factory);
  }

  create(ctx: SinkContext): ChatSink {
    const factory = this.factories.get(ctx.destination.platform);
    if (!factory) throw new Error(`No chat sink registered for ${ctx.destination.platform}`);
    return factory(ctx);
  }
}
