import { randomUUID } from "node:crypto";
import type {
  ChatSink,
  DraftFailure,
  DraftHeader,
  DraftStopped,
  DraftSummary,
  DraftWaiting,
  SinkContext,
} from "../../core/deliver/sink.ts";
import type { Chunk, Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import { type LineApi, LineApiError, type LineMessage, retryKey } from "./client.ts";
import { waitingMessage } from "./conversation-copy.ts";
import { addressedToRequester, failureMessage, footerMessage } from "./copy.ts";
import { type LineDeliveryState, readLineDeliveryState } from "./delivery-state.ts";
import { type LineDestination, readDestination } from "./destination.ts";
import { LINE_TEXT_MAX, splitForLine, toPlainText } from "./plain-text.ts";

/**
 * Posts a draft into a LINE chat within LINE's rules: at most 5 message objects per call, at
 * most 5,000 characters per text message, and one reply token that is single-use and good for
 * about a minute. Replies are free and pushes cost the account's message quota, so chunks are
 * buffered and the first 5 bubbles go out as the reply — when 5 are ready, when the token has
 * aged REPLY_AFTER_MS, or at the end, whichever comes first. Only what does not fit goes by
 * push, 5 to a call, each with an X-Line-Retry-Key derived from the generation and batch.
 *
 * A job may run again (a worker died, a retry): everything buffered and the push being sent
 * are saved in the generation's delivery state before they leave, so the next attempt sends
 * what is missing — the pending push under the same retry key, so LINE delivers it once.
 */

export { type LineDeliveryState, readLineDeliveryState } from "./delivery-state.ts";

export const MAX_MESSAGES_PER_CALL = 5;
/** Send the reply by then even with fewer than 5 bubbles: the token is good for about a minute. */
export const REPLY_AFTER_MS = 40_000;
const LOADING_SECONDS = 60;

export interface LineSinkDeps {
  api: LineApi;
  logger: Logger;
  /** Whether `attempt` is still the one recorded for the generation (read from the database). */
  isCurrentAttempt(generationId: string, attempt: string): Promise<boolean>;
  replyAfterMs?: number;
  /**
   * The ids LINE gave a draft's bubbles, so a person who quotes one later revises this draft
   * (core's recordDraftMessages). Best effort: a bubble not recorded is only not quotable.
   */
  recordMessages?(generationId: string, messageIds: string[]): Promise<void>;
}

export function lineSinkFactory(deps: LineSinkDeps) {
  return (ctx: SinkContext): ChatSink => new LineSink(deps, ctx);
}

class LineSink implements ChatSink {
  readonly maxChunkChars = LINE_TEXT_MAX;
  private readonly dest: LineDestination;
  private state: Required<Omit<LineDeliveryState, "inflight">> & Pick<LineDeliveryState, "inflight">;
  private generationId = "";
  private work: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly deps: LineSinkDeps,
    private readonly ctx: SinkContext,
  ) {
    this.dest = readDestination(ctx.destination);
    const s = readLineDeliveryState(ctx.state);
    this.state = {
      attempt: randomUUID(),
      replyUsed: s.replyUsed ?? !this.dest.replyToken,
      sent: s.sent ?? 0,
      batches: s.batches ?? 0,
      pending: s.pending ?? [],
      nextChunk: s.nextChunk ?? 0,
      inflight: s.inflight ?? null,
    };
  }

  private get lang(): Language {
    return this.dest.lang === "th" ? "th" : "en";
  }

  async start(header: DraftHeader): Promise<void> {
    this.generationId = header.generationId;
    // Parsing notes ("capped at your plan's 800 words") lead the draft, once: a retried attempt
    // finds them already buffered or sent.
    const untouched =
      this.state.sent === 0 &&
      this.state.pending.length === 0 &&
      this.state.nextChunk === 0 &&
      !this.state.inflight;
    if (header.notes.length && untouched)
      this.state.pending.push({ type: "text", text: header.notes.map((n) => `ℹ️ ${n}`).join("\n") });
    await this.save();
    if (!this.state.replyUsed) {
      const due = this.dest.receivedAt + (this.deps.replyAfterMs ?? REPLY_AFTER_MS) - Date.now();
      this.timer = setTimeout(() => void this.onReplyDeadline(), Math.max(0, due));
      this.timer.unref();
    }
    this.loading();
    // Bubbles an earlier attempt had buffered go out on the same schedule as new ones.
    if (this.state.pending.length || this.state.inflight) await this.serial(() => this.flush("ready"));
  }

  async postChunk(chunk: Chunk): Promise<void> {
    const texts = splitForLine(toPlainText(chunk.text));
    await this.serial(async () => {
      // The pipeline records a chunk after this returns: a crash in between passes it again.
      if (chunk.index < this.state.nextChunk) return;
      this.state.pending.push(...texts.map((t): LineMessage => ({ type: "text", text: t })));
      this.state.nextChunk = chunk.index + 1;
      await this.save(); // buffered, so saved: the pipeline counts this chunk as delivered now
      await this.flush("ready");
    });
  }

  async finish(summary: DraftSummary): Promise<void> {
    this.generationId = summary.generationId;
    await this.end(footerMessage(summary, this.lang));
  }

  /** Also called without start() when a job gave up before it could run. */
  async fail(failure: DraftFailure): Promise<void> {
    this.generationId = failure.generationId;
    await this.end(failureMessage(failure, this.lang));
  }

  /**
   * The person asked to stop (and was answered at once by the listener): nothing more of this
   * draft goes out — not the bubbles still buffered, not the reply at the token's deadline.
   */
  async stopped(stop: DraftStopped): Promise<void> {
    this.generationId = stop.generationId;
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    await this.serial(async () => {
      this.state.pending = [];
      await this.save();
    });
  }

  /**
   * Another draft in this chat is being written first: say so at once, by the free reply while
   * the token is good (by the time this draft's turn comes the token would be stale anyway).
   */
  async waiting(wait: DraftWaiting): Promise<void> {
    this.generationId = wait.generationId;
    await this.serial(async () => {
      if (this.state.replyUsed || Date.now() >= this.replyDeadline()) return;
      this.state.replyUsed = true;
      try {
        await this.deps.api.reply(this.dest.replyToken!, [
          waitingMessage(this.lang, wait.request.topic, wait.ahead),
        ]);
      } catch (error) {
        // A spent or stale token: the notice is not worth a paid push; the draft follows anyway.
        if (!(error instanceof LineApiError)) throw error;
      }
      await this.save();
    });
  }

  private async end(last: LineMessage): Promise<void> {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    this.failed = null; // the last word gets its own chance even if a background send failed
    await this.serial(async () => {
      this.state.pending.push(last);
      await this.flush("final");
    });
  }

  /** One send at a time, in order; a background failure surfaces at the next call. */
  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.work.then(async () => {
      if (this.failed) return;
      try {
        await task();
      } catch (error) {
        this.failed = error;
      }
    });
    this.work = run;
    return run.then(() => {
      if (this.failed) throw this.failed;
    });
  }

  private async onReplyDeadline(): Promise<void> {
    this.timer = null;
    if (this.ended || this.state.replyUsed || !this.state.pending.length) return;
    try {
      if (!(await this.deps.isCurrentAttempt(this.generationId, this.state.attempt))) return;
      await this.serial(() => this.flush("deadline"));
    } catch (err) {
      // Surfaces at the pipeline's next call; logged here so a stall is visible too.
      this.deps.logger.warn(
        { err, generationId: this.generationId },
        "LINE reply at the token deadline failed",
      );
    }
  }

  /**
   * Sends what is due: the reply once 5 bubbles are ready, the token has aged (`deadline`, or
   * noticed on a later call) or the draft is over (`final`); then pushes of 5, and at the end
   * whatever is left.
   */
  private async flush(why: "ready" | "deadline" | "final"): Promise<void> {
    const final = why === "final";
    if (this.state.inflight) await this.sendInflight();
    if (!this.state.replyUsed) {
      const due =
        why !== "ready" ||
        this.state.pending.length >= MAX_MESSAGES_PER_CALL ||
        Date.now() >= this.replyDeadline();
      if (!due || !this.state.pending.length) return;
      await this.reply(final);
    }
    while (this.state.pending.length >= MAX_MESSAGES_PER_CALL || (final && this.state.pending.length)) {
      this.state.inflight = {
        batch: this.state.batches,
        messages: this.state.pending.slice(0, MAX_MESSAGES_PER_CALL),
      };
      this.state.pending = this.state.pending.slice(MAX_MESSAGES_PER_CALL);
      this.state.batches += 1;
      await this.save(); // written before it leaves: a retry resends exactly this, same key
      await this.sendInflight();
    }
  }

  private replyDeadline(): number {
    return this.dest.receivedAt + (this.deps.replyAfterMs ?? REPLY_AFTER_MS);
  }

  private async reply(final: boolean): Promise<void> {
    const messages = this.state.pending.slice(0, MAX_MESSAGES_PER_CALL);
    if (this.state.sent === 0 && messages[0]) messages[0] = addressedToRequester(messages[0], this.dest); // line-people: quote + mention in groups
    this.state.replyUsed = true;
    try {
      const ids = await this.deps.api.reply(this.dest.replyToken!, messages);
      await this.record(ids);
      this.state.pending = this.state.pending.slice(messages.length);
      this.state.sent += messages.length;
      await this.save();
      if (!final) this.loading(); // the reply ended the animation; more is on its way
    } catch (error) {
      if (!(error instanceof LineApiError)) throw error;
      if (error.kind !== "invalid_reply_token" && error.kind !== "unavailable") throw error;
      // Stale or spent token: the same bubbles go by push. After a 5xx or a timeout the reply
      // may have arrived; pushing risks a repeat, which beats a draft that never arrives.
      this.deps.logger.info(
        { generationId: this.generationId, kind: error.kind },
        "LINE reply not possible; pushing instead",
      );
      await this.save();
    }
  }

  private async sendInflight(): Promise<void> {
    const inflight = this.state.inflight!;
    const outcome = await this.deps.api.push(
      this.dest.to,
      inflight.messages,
      retryKey(this.generationId, "push", inflight.batch),
    );
    await this.record(outcome.messageIds);
    if (outcome.kind === "already_sent")
      this.deps.logger.info(
        { generationId: this.generationId, batch: inflight.batch },
        "LINE push was already delivered",
      );
    this.state.inflight = null;
    this.state.sent += inflight.messages.length;
    await this.save();
  }

  /** The typing bubble, in one-to-one chats only (LINE shows it nowhere else). Best effort. */
  private loading(): void {
    if (this.dest.chatType !== "user") return;
    this.deps.api
      .showLoading(this.dest.to, LOADING_SECONDS)
      .catch((err) =>
        this.deps.logger.debug({ err, generationId: this.generationId }, "LINE loading animation not shown"),
      );
  }

  private async record(messageIds: string[]): Promise<void> {
    if (!messageIds.length || !this.deps.recordMessages) return;
    await this.deps
      .recordMessages(this.generationId, messageIds)
      .catch((err) =>
        this.deps.logger.warn({ err, generationId: this.generationId }, "LINE bubble ids not recorded"),
      );
  }

  private async save(): Promise<void> {
    await this.ctx.saveState({ ...this.state });
  }
}
