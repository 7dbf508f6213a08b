import { setTimeout as sleep } from "node:timers/promises";
import type { ChatPostMessageArguments, WebClient } from "@slack/web-api";
import { z } from "zod";
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
import { readJson } from "../../core/records/json.ts";
import { canShorten } from "../../core/request/rules.ts";
import type { ShortMemory } from "../shared/memory.ts";
import { waitingMessage } from "./answers.ts";
import { CANNOT_POST, type SlackClients, slackErrorCode } from "./client.ts";
import { closingMessage, failureMessage, type Message, parentMessage, type Status, words } from "./copy.ts";
import { readDestination, type SlackDestination } from "./destination.ts";
import { waitingNoticeKey } from "./intake.ts";
import { draftBlocks, fallbackText, SECTION_MAX_CHARS } from "./mrkdwn.ts";
import type { ChannelPacer } from "./pacer.ts";

/**
 * A draft in a Slack thread: a parent message saying what is being written (with a live
 * status), the draft as thread replies while the model writes, then a closing message with
 * word count, sources and buttons.
 *
 * Native streaming first (chat.startStream/appendStream/stopStream): each completed chunk is
 * appended to a streamed reply, and a new streamed reply starts before one would pass Slack's
 * 12,000 characters of markdown. When streaming is not available to the app, or a stream has
 * expired (`message_not_in_streaming_state`, after a few idle minutes or a worker restart),
 * each chunk becomes its own reply (chat.postMessage, mrkdwn blocks) and the parent is kept
 * current with chat.update.
 *
 * Everything needed to continue is saved with the generation (see SlackDeliveryState), so a
 * job retried on another worker keeps the same thread and never posts a chunk twice.
 */

export const STREAM_MAX_CHARS = 12_000;
/** Longest a revision waits for the closing message of the version it revises. */
const CLOSING_WAIT_MS = 30_000;

const SlackDeliveryStateSchema = z.object({
  /** Where the thread is (a DM's D… id once Slack resolved it, or the DM fallback). */
  channel: z.string().optional(),
  parentTs: z.string().optional(),
  /** The thread the replies go to: the parent, or the thread the request came from. */
  rootTs: z.string().optional(),
  /** The streamed reply being appended to, and how much markdown it holds. */
  streamTs: z.string().nullable().optional(),
  streamChars: z.number().optional(),
  /** "off" once this draft fell back to plain messages. */
  streaming: z.literal("off").optional(),
  /** Chunk indexes already in the thread. */
  posted: z.array(z.number().int()).optional(),
  closedTs: z.string().optional(),
});
export type SlackDeliveryState = z.infer<typeof SlackDeliveryStateSchema>;

/** The Slack part of a generation's delivery state, as this sink saved it. */
export function readSlackDeliveryState(state: unknown): SlackDeliveryState {
  return readJson(SlackDeliveryStateSchema, state, "Generation.deliveryState (Slack)");
}

export interface SlackSinkDeps {
  /** To move a new draft's conversation to the thread its parent message starts. */
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
}

/** Errors after which this draft is better posted as plain messages. */
const NO_STREAM_FOR_APP = new Set([
  "unknown_method",
  "method_deprecated",
  "not_allowed_token_type",
  "missing_scope",
  "feature_not_enabled",
  "not_authorized",
]);
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
  }

  async start(header: DraftHeader): Promise<void> {
    this.request = header.request;
    this.generationId = header.generationId;
    this.note = header.revision ? revisionNote(header.request, header.revision) : this.dest.note;
    const status: Status = header.cacheHit ? "cache" : header.resumed ? "resumed" : "writing";
    if (this.state.parentTs) return void (await this.setStatus(status, true));
    if (header.revision) await this.afterClosingOf(header.revision.revisesId);
    const message = parentMessage(header.request, this.dest.user, status, this.note, this.generationId);
    let posted: { channel: string; ts: string };
    let rootTs: string;
    try {
      posted = await this.post({ channel: this.dest.channel, thread_ts: this.dest.threadTs, ...message });
      rootTs = this.dest.threadTs ?? posted.ts;
    } catch (error) {
      if (!CANNOT_POST.has(slackErrorCode(error) ?? "")) throw error;
      // Invited nowhere (a form sent from a private channel): the DM with the app always works.
      posted = await this.post({ channel: this.dest.user, ...message });
      rootTs = posted.ts;
    }
    await this.save({ channel: posted.channel, parentTs: posted.ts, rootTs });
    // From now on the draft's conversation is the thread it is in, so a reply there revises it.
    await moveDraftConversation(this.deps.db, header.generationId, {
      platform: "SLACK",
      channel: posted.channel,
      threadTs: rootTs,
    });
    this.lastStatusAt = Date.now();
  }

  async postChunk(chunk: Chunk): Promise<void> {
    if (this.state.posted?.includes(chunk.index)) return;
    const streamed = this.canStream() && (await this.streamChunk(chunk));
    if (!streamed)
      await this.post({
        channel: this.channel(),
        thread_ts: this.state.rootTs,
        text: fallbackText(chunk.text),
        blocks: draftBlocks(chunk.text),
      });
    const posted = [...(this.state.posted ?? []), chunk.index];
    await this.save({ posted });
    await this.setStatus({ progress: posted.length }, false);
  }

  async finish(summary: DraftSummary): Promise<void> {
    this.request = summary.request;
    if (this.state.closedTs) return;
    await this.endStream();
    const message = closingMessage({
      ...summary,
      canShorten: canShorten(summary.request.targetWords),
    });
    await this.setStatus({ done: summary.words }, true);
    const closed = await this.post({ channel: this.channel(), thread_ts: this.state.rootTs, ...message });
    await this.save({ closedTs: closed.ts });
  }

  async fail(failure: DraftFailure): Promise<void> {
    this.request = failure.request;
    await this.endStream().catch(() => undefined);
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
    await this.setStatus("failed", true);
  }

  async stopped(stop: DraftStopped): Promise<void> {
    this.request = stop.request;
    this.generationId = stop.generationId;
    await this.endStream().catch(() => undefined);
    await this.setStatus({ stopped: stop.chunksDelivered }, true);
  }

  async waiting(wait: DraftWaiting): Promise<void> {
    if (!(await this.deps.memory.claim(waitingNoticeKey(wait.generationId), 600).catch(() => false))) return;
    const message = waitingMessage(wait.request.language, wait.ahead);
    await this.post({ channel: this.dest.channel, thread_ts: this.dest.threadTs, ...message })
      .catch((error) => {
        // Where the app cannot post (a DM between two people), the person's DM with the app.
        if (!CANNOT_POST.has(slackErrorCode(error) ?? "")) throw error;
        return this.post({ channel: this.dest.user, ...message });
      })
      .catch((error) =>
        this.deps.logger.info({ code: slackErrorCode(error) }, "could not post a slack waiting notice"),
      );
  }

  /**
   * The core lets a revision start once the version it revises is delivered, which is just
   * before that version's closing message is posted: wait for it (bounded), so the thread never
   * shows the new version's parent above the old one's buttons.
   */
  private async afterClosingOf(generationId: string): Promise<void> {
    const deadline = Date.now() + CLOSING_WAIT_MS;
    while (Date.now() < deadline) {
      const previous = await this.deps.db.prisma.generation.findUnique({
        where: { id: generationId },
        select: { status: true, deliveryState: true },
      });
      if (previous?.status !== "DELIVERED" || readSlackDeliveryState(previous.deliveryState ?? {}).closedTs)
        return;
      await sleep(100);
    }
  }

  // ---- streaming ----

  private canStream(): boolean {
    return Date.now() >= this.deps.streaming.unavailableUntil && this.state.streaming !== "off";
  }

  /** True when the chunk went into a streamed reply; false when this draft should post instead. */
  private async streamChunk(chunk: Chunk): Promise<boolean> {
    const channel = this.channel();
    try {
      const open = this.state.streamTs;
      if (open && (this.state.streamChars ?? 0) + 2 + chunk.text.length <= STREAM_MAX_CHARS) {
        await this.deps.pacer.run(channel, () =>
          this.client.chat.appendStream({ channel, ts: open, markdown_text: `\n\n${chunk.text}` }),
        );
        await this.save({ streamChars: (this.state.streamChars ?? 0) + 2 + chunk.text.length });
        return true;
      }
      if (open) await this.endStream();
      // Slack wants the recipient in every context (DMs included), or stopping the stream fails.
      const started = await this.deps.pacer.run(channel, () =>
        this.client.chat.startStream({
          channel,
          thread_ts: this.state.rootTs!,
          markdown_text: chunk.text,
          recipient_user_id: this.dest.user,
          recipient_team_id: this.dest.teamId,
        }),
      );
      await this.save({ streamTs: started.ts ?? null, streamChars: chunk.text.length });
      return Boolean(started.ts);
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === null || code === "ratelimited") throw error; // transport trouble: the job retries
      if (NO_STREAM_FOR_APP.has(code))
        this.deps.streaming.unavailableUntil = Date.now() + this.deps.streaming.retryMs;
      this.deps.logger.info(
        { code, channel },
        "slack streaming unavailable for this draft; posting messages instead",
      );
      await this.save({ streaming: "off", streamTs: null, streamChars: 0 });
      return false;
    }
  }

  private async endStream(): Promise<void> {
    const ts = this.state.streamTs;
    if (!ts) return;
    try {
      await this.deps.pacer.run(this.channel(), () =>
        this.client.chat.stopStream({ channel: this.channel(), ts }),
      );
    } catch (error) {
      // An expired stream is already final; anything else must not lose the closing message.
      this.deps.logger.info(
        { code: slackErrorCode(error) },
        "could not stop a slack stream; it ends on its own",
      );
    }
    await this.save({ streamTs: null, streamChars: 0 });
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

  private async save(patch: Partial<SlackDeliveryState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await this.ctx.saveState(patch as Record<string, unknown>);
  }
}
