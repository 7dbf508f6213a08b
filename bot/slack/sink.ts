import type { ChatPostMessageArguments, WebClient } from "@slack/web-api";
import { moveDraftConversation } from "../../core/conversation/drafts.ts";
import type { Database } from "../../core/db/client.ts";
import type {
  ChatSink,
  DraftFailure,
  DraftHeader,
  DraftStopped,
  DraftSummary,
  DraftWaiting,
  SinkContext,
  SinkFactory,
} from "../../core/deliver/sink.ts";
import type { ArticleRequest, Chunk } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import { canShorten } from "../../core/request/rules.ts";
import type { ShortMemory } from "../shared/memory.ts";
import { waitingMessage } from "./answers.ts";
import { CANNOT_POST, type SlackClients, slackErrorCode } from "./client.ts";
import {
  closingMessage,
  failureMessage,
  type Message,
  parentMessage,
  type Status,
  stoppedMessage,
  words,
} from "./copy.ts";
import { readSlackDeliveryState, type SlackDeliveryState } from "./delivery-state.ts";
import { readDestination, type SlackDestination } from "./destination.ts";
import { waitingNoticeKey } from "./intake.ts";
import { draftBlocks, fallbackText, SECTION_MAX_CHARS } from "./mrkdwn.ts";
import type { ChannelPacer } from "./pacer.ts";
import {
  NO_STREAM_FOR_APP,
  type OpenStream,
  STREAM_LIMITS,
  type StreamLimits,
  StreamWriter,
} from "./stream.ts";
import { ThreadStatus } from "./thread-status.ts";

/**
 * A draft in a Slack thread. A mention or a DM is answered under the person's own message
 * (`thread_ts = event.thread_ts ?? event.ts`); a form, which has no message of its own, gets a
 * top-level parent that says what is being written. While the model thinks, the thread shows
 * `assistant.threads.setStatus` with loading messages; then the draft streams into one reply
 * as the model writes it (see StreamWriter), and `chat.stopStream` puts the closing blocks
 * (word count, sources, 👍/👎, Regenerate / Shorten / Download) under the text. While writing,
 * a small card with a Stop button sits in the thread (the parent itself, for a form); it goes
 * when the draft reaches a final state.
 *
 * When streaming is not available to the app, is throttled (429 on chat.startStream, Tier 2)
 * or cannot start here, each chunk becomes its own reply (chat.postMessage, mrkdwn blocks) and
 * the closing message carries the same blocks.
 *
 * Everything needed to continue is saved with the generation (see SlackDeliveryState), so a
 * job retried on another worker keeps the same thread and never posts a chunk twice.
 */

export interface SlackSinkDeps {
  /** To move a form's draft to the thread its parent message starts. */
  db: Database;
  /** Per workspace and profile: the draft's calls ("delivery") and its status lines ("cosmetic"). */
  clients: SlackClients;
  pacer: ChannelPacer;
  /**
   * Process-wide: when Slack said the streaming methods are not available to this app, drafts
   * post plain messages until then, and try streaming again after it (a workspace may enable it).
   */
  streaming: { unavailableUntil: number; retryMs: number };
  logger: Logger;
  /** At most one parent status update per this many ms while writing. */
  statusIntervalMs: number;
  /** Shared with the front desk, so a waiting draft's notice is posted once. */
  memory: ShortMemory;
  /** Streaming cadence and Slack's stream limits (tests shrink them). */
  stream?: Partial<StreamLimits>;
}

/** What a new version changes, for its parent message. */
function revisionNote(request: ArticleRequest, revision: NonNullable<DraftHeader["revision"]>): string {
  const t = words(request.language);
  if (revision.kind === "angle") return t.newAngle(request.tone);
  if (revision.kind === "shorter") return t.shorter(request.targetWords);
  return t.conversation.revisingNote(revision.instruction);
}

export function slackSinkFactory(deps: SlackSinkDeps): SinkFactory {
  return (ctx) => new SlackSink(deps, ctx);
}

class SlackSink implements ChatSink {
  readonly maxChunkChars = SECTION_MAX_CHARS;
  private readonly dest: SlackDestination;
  private state: SlackDeliveryState;
  private request: ArticleRequest | null = null;
  private generationId: string | undefined;
  /** A revision's parent says what it changes ("Revising: make it shorter"). */
  private note: string | undefined;
  private lastStatusAt = 0;
  private writer: StreamWriter | null = null;
  /** The model's text reaches this sink as deltas: chunks only mark what is recorded. */
  private fed = false;
  private wroteChunks = false;
  private readonly live: ThreadStatus;
  private readonly client: WebClient;
  /** Progress lines: dropped when rate limited, so they never hold back a draft. */
  private readonly cosmetic: WebClient;

  constructor(
    private readonly deps: SlackSinkDeps,
    private readonly ctx: SinkContext,
  ) {
    this.dest = readDestination(ctx.destination);
    this.state = readSlackDeliveryState(ctx.state);
    this.client = deps.clients.for(this.dest.teamId, "delivery");
    this.cosmetic = deps.clients.for(this.dest.teamId, "cosmetic");
    this.live = new ThreadStatus({
      // The thinking line is set once and must be cleared: it goes with the draft's own calls.
      client: this.client,
      logger: deps.logger,
      post: (message) => this.post({ channel: this.channel(), thread_ts: this.state.rootTs, ...message }),
      channel: () => this.channel(),
      threadTs: () => this.state.rootTs,
      card: { get: () => this.state.cardTs, save: (cardTs) => this.save({ cardTs }) },
    });
  }

  async start(header: DraftHeader): Promise<void> {
    this.request = header.request;
    this.generationId = header.generationId;
    this.note = header.revision ? revisionNote(header.request, header.revision) : this.dest.note;
    const status: Status = header.cacheHit ? "cache" : header.resumed ? "resumed" : "writing";
    if (this.state.rootTs) {
      await this.setStatus(status, true);
    } else {
      if (this.dest.threadTs) await this.save({ channel: this.dest.channel, rootTs: this.dest.threadTs });
      else await this.postParent(header, status);
    }
    if (!header.cacheHit) await this.live.think(true, header.request.language);
  }

  draftDelta(text: string): void {
    if (!this.canStream()) return;
    this.fed = true;
    this.streamWriter().write(text);
  }

  async postChunk(chunk: Chunk): Promise<void> {
    if (this.state.posted?.includes(chunk.index)) return;
    await this.show([chunk]);
    await this.recordPosted([chunk.index]);
  }

  async postChunks(chunks: Chunk[]): Promise<void> {
    const unsent = chunks.filter((c) => !this.state.posted?.includes(c.index));
    await this.show(unsent);
    await this.recordPosted(unsent.map((c) => c.index));
  }

  async finish(summary: DraftSummary): Promise<void> {
    this.request = summary.request;
    if (this.state.closedTs) return;
    const message = closingMessage({ ...summary, canShorten: canShorten(summary.request.targetWords) });
    const attachedTo = await this.endStream(message.blocks);
    if (attachedTo) await this.save({ closedTs: attachedTo });
    else {
      const closed = await this.post({ channel: this.channel(), thread_ts: this.state.rootTs, ...message });
      await this.save({ closedTs: closed.ts });
    }
    await this.endWriting({ done: summary.words });
  }

  async fail(failure: DraftFailure): Promise<void> {
    this.request = failure.request;
    await this.endStream();
    // The final state first: the status cleared and the card gone before the apology.
    await this.endWriting("failed");
    const message = failureMessage({
      generationId: failure.generationId,
      language: failure.request.language,
      code: failure.code,
      refunded: failure.refunded,
    });
    try {
      await this.post({
        channel: this.channel(),
        thread_ts: this.state.rootTs ?? this.dest.threadTs,
        ...message,
      });
    } catch (error) {
      if (!CANNOT_POST.has(slackErrorCode(error) ?? "")) throw error;
      await this.post({ channel: this.dest.user, ...message });
    }
  }

  async stopped(stop: DraftStopped): Promise<void> {
    this.request = stop.request;
    this.generationId = stop.generationId;
    const note = stoppedMessage(stop.request.language, stop.chunksDelivered);
    const attachedTo = await this.endStream(note.blocks);
    if (!attachedTo && !this.state.parentTs && this.state.rootTs)
      await this.post({ channel: this.channel(), thread_ts: this.state.rootTs, ...note }).catch(
        () => undefined,
      );
    await this.endWriting({ stopped: stop.chunksDelivered });
  }

  async waiting(wait: DraftWaiting): Promise<void> {
    if (!(await this.deps.memory.claim(waitingNoticeKey(wait.generationId), 600).catch(() => false))) return;
    const message = waitingMessage(wait.request.language, wait.ahead);
    await this.post({ channel: this.dest.channel, thread_ts: this.dest.threadTs, ...message }).catch(
      (error) =>
        this.deps.logger.info({ code: slackErrorCode(error) }, "could not post a slack waiting notice"),
    );
  }

  /** A form has no message of its own: a top-level parent starts the draft's thread. */
  private async postParent(header: DraftHeader, status: Status): Promise<void> {
    const message = parentMessage(header.request, this.dest.user, status, this.note, this.generationId);
    let posted: { channel: string; ts: string };
    try {
      posted = await this.post({ channel: this.dest.channel, ...message });
    } catch (error) {
      if (!CANNOT_POST.has(slackErrorCode(error) ?? "")) throw error;
      // Invited nowhere (a form sent from a private channel): the DM with the app always works.
      posted = await this.post({ channel: this.dest.user, ...message });
    }
    await this.save({ channel: posted.channel, parentTs: posted.ts, rootTs: posted.ts });
    // From now on the draft's conversation is the thread it is in, so a reply there revises it.
    await moveDraftConversation(this.deps.db, header.generationId, {
      platform: "SLACK",
      channel: posted.channel,
      threadTs: posted.ts,
    });
    this.lastStatusAt = Date.now();
  }

  // ---- streaming ----

  private canStream(): boolean {
    return (
      Date.now() >= this.deps.streaming.unavailableUntil &&
      this.state.streaming !== "off" &&
      !this.writer?.unavailable
    );
  }

  private streamWriter(): StreamWriter {
    if (this.writer) return this.writer;
    const s = this.state;
    const open: OpenStream | null = s.streamTs
      ? { ts: s.streamTs, chars: s.streamChars ?? 0, startedAt: s.streamStartedAt ?? 0 }
      : null;
    this.writer = new StreamWriter({
      client: this.client,
      pacer: this.deps.pacer,
      logger: this.deps.logger,
      limits: { ...STREAM_LIMITS, ...this.deps.stream },
      channel: this.channel(),
      threadTs: this.state.rootTs!,
      recipient: { user: this.dest.user, team: this.dest.teamId },
      open,
      onOpen: (o) => {
        this.state = { ...this.state, streamTs: o.ts, streamChars: o.chars, streamStartedAt: o.startedAt };
        void this.ctx
          .saveState({ streamTs: o.ts, streamChars: o.chars, streamStartedAt: o.startedAt })
          .catch(() => undefined);
        void this.liveText();
      },
    });
    return this.writer;
  }

  /** Puts chunks in the thread: streamed (already, when fed by deltas), else as messages. */
  private async show(chunks: Chunk[]): Promise<void> {
    if (!chunks.length) return;
    if (this.canStream()) {
      const writer = this.streamWriter();
      if (!this.fed) {
        // Whole chunks (a cache hit, or a platform run without deltas): one write, so they go in one call.
        const text = chunks.map((c) => c.text).join("\n\n");
        writer.write(this.state.posted?.length || this.wroteChunks ? `\n\n${text}` : text);
        this.wroteChunks = true;
      }
      await writer.drain();
      if (!writer.unavailable) return;
      await this.streamingOff(writer.unavailable);
    }
    for (const c of chunks)
      await this.post({
        channel: this.channel(),
        thread_ts: this.state.rootTs,
        text: fallbackText(c.text),
        blocks: draftBlocks(c.text),
      });
    await this.liveText();
  }

  /** Text is visible: the thinking status goes, a draft without a parent gets its Stop card. */
  private async liveText(): Promise<void> {
    if (!this.request) return;
    await this.live.think(false, this.request.language);
    if (!this.state.parentTs && this.generationId)
      await this.live.showCard(this.request.language, this.generationId, this.note);
  }

  private async streamingOff(code: string): Promise<void> {
    if (NO_STREAM_FOR_APP.has(code))
      this.deps.streaming.unavailableUntil = Date.now() + this.deps.streaming.retryMs;
    this.deps.logger.info(
      { code, channel: this.channel() },
      "slack streaming unavailable for this draft; posting messages instead",
    );
    await this.save({ streaming: "off", streamTs: null, streamChars: 0 });
  }

  private async recordPosted(indexes: number[]): Promise<void> {
    if (!indexes.length) return;
    const posted = [...(this.state.posted ?? []), ...indexes];
    await this.save({ posted, ...(this.writer?.open ? { streamChars: this.writer.open.chars } : {}) });
    await this.setStatus({ progress: posted.length }, false);
  }

  /** Stops the stream if one is open; the ts of the message `blocks` went under, or null. */
  private async endStream(blocks?: Message["blocks"]): Promise<string | null> {
    if (!this.writer && !this.state.streamTs) return null;
    const writer = this.streamWriter();
    const attachedTo = await writer.close(blocks).catch((error) => {
      this.deps.logger.info({ err: (error as Error).message }, "could not finish a slack stream");
      return null;
    });
    writer.dispose();
    await this.save({ streamTs: null, streamChars: 0 });
    return attachedTo;
  }

  // ---- the parent's line, and final states ----

  /** A final state: no "Writing…" stays behind (the card goes, the parent says how it ended). */
  private async endWriting(status: Status): Promise<void> {
    if (this.request) await this.live.end(this.request.language);
    await this.setStatus(status, true);
  }

  /** The parent's status line; while writing at most every statusIntervalMs, final states always. */
  private async setStatus(status: Status, force: boolean): Promise<void> {
    if (!this.state.parentTs || !this.request) return;
    const now = Date.now();
    if (!force && now - this.lastStatusAt < this.deps.statusIntervalMs) return;
    this.lastStatusAt = now;
    const message = parentMessage(
      this.request,
      this.dest.user,
      status,
      this.note ?? this.dest.note,
      this.generationId,
    );
    try {
      // Progress lines are cosmetic (dropped when rate limited); a final state must land.
      const client = force ? this.client : this.cosmetic;
      await client.chat.update({ channel: this.channel(), ts: this.state.parentTs, ...message });
    } catch (error) {
      // A status line is worth less than the draft: never fail delivery over it.
      this.deps.logger.info({ code: slackErrorCode(error) }, "could not update the slack parent status");
    }
  }

  // ---- plumbing ----

  private channel(): string {
    return this.state.channel ?? this.dest.channel;
  }

  private async post(
    args: { channel: string; thread_ts?: string } & Message,
  ): Promise<{ channel: string; ts: string }> {
    const res = await this.deps.pacer.run(args.channel, () =>
      this.client.chat.postMessage({
        ...args,
        unfurl_links: false,
        unfurl_media: false,
      } as ChatPostMessageArguments),
    );
    if (res.channel && res.channel !== args.channel) this.deps.pacer.note(res.channel);
    return { channel: res.channel ?? args.channel, ts: res.ts! };
  }

  private async save(patch: Partial<SlackDeliveryState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await this.ctx.saveState(patch as Record<string, unknown>);
  }
}
