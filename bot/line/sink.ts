import { randomUUID } from "node:crypto";
import {
  type ChatSink,
  DeliveryIncomplete,
  type DraftFailure,
  type DraftHeader,
  type DraftStopped,
  type DraftSummary,
  type DraftWaiting,
  type SinkContext,
} from "../../core/deliver/sink.ts";
import type { Chunk, Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import { chatMessagesSent, chatPushRefused } from "../../core/metrics.ts";
import { continueCard, resultCard } from "./card.ts";
import { type LineApi, LineApiError, type LineMessage, retryKey } from "./client.ts";
import { waitingMessage } from "./conversation-copy.ts";
import { addressedToRequester, failureMessage } from "./copy.ts";
import { CONTINUE_COPY, monthlyLimitNotice } from "./delivery-copy.ts";
import { type LineDeliveryState, readLineDeliveryState } from "./delivery-state.ts";
import { type LineDestination, readDestination } from "./destination.ts";
import { LoadingAnimation } from "./loading.ts";
import { LINE_TEXT_MAX, packMessages, splitForLine, toPlainText } from "./plain-text.ts";

/**
 * Posts a draft into a LINE chat at no cost whenever it can. A reply is free and carries up to 5
 * messages; a push is billed against the account's monthly quota (once per member in a group).
 * So the draft is held while it is written (the loading animation runs meanwhile in one-to-one
 * chats), packed into as few bubbles of up to 5,000 characters as it needs, and sent as one
 * reply with the result card last — before the reply token's deadline. A draft not ready by
 * then goes out as far as it is, with a "Continue reading" card: its tap brings a fresh free
 * reply token, and the rest goes with that (continueReading). Pushes happen only as the tier's
 * policy allows: NEVER, FALLBACK (no free way to the rest is left), ALWAYS (the rest at once);
 * groups and rooms only on ALWAYS. Every push carries an X-Line-Retry-Key.
 *
 * A job may run again (a worker died, a retry): what is queued and the push being sent are
 * saved in the generation's delivery state before they leave, so the next attempt (or a second
 * finish) sends what is missing — the pending push under the same retry key, so LINE delivers
 * it once. finish throws DeliveryIncomplete while the end is not in the chat.
 */

export { type LineDeliveryState, readLineDeliveryState } from "./delivery-state.ts";

export const MAX_MESSAGES_PER_CALL = 5;
/** The reply goes by then at the latest (LINE's token is good for about a minute). */
export const REPLY_DEADLINE_MS = 50_000;

type PushPolicy = NonNullable<LineDeliveryState["policy"]>;
type State = Omit<Required<LineDeliveryState>, "policy"> & { policy: PushPolicy | null };

export interface LineSinkDeps {
  api: LineApi;
  logger: Logger;
  /** Whether `attempt` is still the one recorded for the generation (read from the database). */
  isCurrentAttempt(generationId: string, attempt: string): Promise<boolean>;
  /** Milliseconds after the event by which the reply goes (LINE_REPLY_DEADLINE_SECONDS). */
  replyDeadlineMs?: number;
  /**
   * The ids LINE gave a draft's bubbles, so a person who quotes one later revises this draft
   * (core's recordDraftMessages). Best effort: a bubble not recorded is only not quotable.
   */
  recordMessages?(generationId: string, messageIds: string[]): Promise<void>;
  /** Replaces LOADING_RENEW_MS (tests). */
  loadingRenewMs?: number;
  /** The rest of a partly delivered draft arrived (core's recordDeliveryComplete). */
  onComplete?(generationId: string): Promise<void>;
}

export function lineSinkFactory(deps: LineSinkDeps) {
  return (ctx: SinkContext) => new LineSink(deps, ctx);
}

export class LineSink implements ChatSink {
  readonly maxChunkChars = LINE_TEXT_MAX;
  private readonly dest: LineDestination;
  private readonly state: State;
  private generationId = "";
  private work: Promise<void> = Promise.resolve();
  private failed: unknown = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly loading: LoadingAnimation;
  private halted = false;

  constructor(
    private readonly deps: LineSinkDeps,
    private readonly ctx: SinkContext,
  ) {
    this.dest = readDestination(ctx.destination);
    this.loading = new LoadingAnimation(deps.api, deps.logger, deps.loadingRenewMs);
    const s = readLineDeliveryState(ctx.state);
    this.state = {
      attempt: randomUUID(),
      replyUsed: s.replyUsed ?? !this.dest.replyToken,
      sent: s.sent ?? 0,
      batches: s.batches ?? 0,
      pending: s.pending ?? [],
      nextChunk: s.nextChunk ?? 0,
      inflight: s.inflight ?? null,
      policy: s.policy ?? null,
      continueOffered: s.continueOffered ?? false,
      ended: s.ended ?? false,
      parked: s.parked ?? false,
      done: s.done ?? false,
      blocked: s.blocked ?? null,
    };
  }

  private get lang(): Language {
    return this.dest.lang === "th" ? "th" : "en";
  }

  async start(header: DraftHeader): Promise<void> {
    this.generationId = header.generationId;
    this.state.policy = header.linePushPolicy ?? this.state.policy;
    // Parsing notes ("capped at your plan's 800 words") lead the draft, once.
    const untouched = this.state.sent === 0 && !this.state.pending.length && this.state.nextChunk === 0;
    if (header.notes.length && untouched && !this.state.inflight)
      this.state.pending.push({ type: "text", text: header.notes.map((n) => `ℹ️ ${n}`).join("\n") });
    await this.save();
    if (this.state.replyUsed) return;
    const due = this.replyDeadline() - Date.now();
    this.timer = setTimeout(() => void this.onReplyDeadline(), Math.max(0, due));
    this.timer.unref();
    if (this.dest.chatType === "user") this.loading.start(this.dest.to, this.generationId);
  }

  async postChunk(chunk: Chunk): Promise<void> {
    const texts = splitForLine(toPlainText(chunk.text));
    await this.serial(async () => {
      // The pipeline records a chunk after this returns: a crash in between passes it again.
      if (chunk.index < this.state.nextChunk) return;
      this.state.pending.push(...texts.map((t): LineMessage => ({ type: "text", text: t })));
      this.state.nextChunk = chunk.index + 1;
      await this.save(); // queued, so saved: the pipeline counts this chunk as delivered now
      if (!this.state.replyUsed && Date.now() >= this.replyDeadline()) await this.replyNow(false);
      else if (this.state.replyUsed && this.mayPush(false)) await this.pushFull();
    });
  }

  async finish(summary: DraftSummary): Promise<void> {
    this.generationId = summary.generationId;
    await this.end(resultCard(summary, this.lang));
  }

  /** Also called without start() when a job gave up before it could run. */
  async fail(failure: DraftFailure): Promise<void> {
    this.generationId = failure.generationId;
    await this.end(failureMessage(failure, this.lang));
  }

  /**
   * The person asked to stop (and was answered at once by the listener): nothing more of this
   * draft goes out — not what is queued, not the reply at the token's deadline.
   */
  async stopped(stop: DraftStopped): Promise<void> {
    this.generationId = stop.generationId;
    this.halted = true;
    this.quiet();
    await this.serial(async () => {
      this.state.pending = [];
      await this.save();
    });
  }

  /**
   * Another draft in this chat is being written first: said at once by the free reply, with a
   * "Continue reading" card so the draft itself can come by a fresh free reply later.
   */
  async waiting(wait: DraftWaiting): Promise<void> {
    this.generationId = wait.generationId;
    await this.serial(async () => {
      if (this.state.replyUsed || Date.now() >= this.replyDeadline()) return;
      this.state.replyUsed = true;
      const notice = [
        waitingMessage(this.lang, wait.request.topic, wait.ahead),
        this.continueCard("writing"),
      ];
      if (await this.tryReply(notice, false)) this.state.continueOffered = true;
      await this.save();
    });
  }

  /**
   * "Continue reading" was tapped: the next part of the draft (its end when it fits) by the
   * tap's fresh reply token. "writing" when the draft is still being written by its job.
   */
  async continueReading(replyToken: string, generationId: string): Promise<"sent" | "writing" | "none"> {
    this.generationId = generationId;
    if (this.state.done) {
      await this.deps.api.reply(replyToken, [{ type: "text", text: CONTINUE_COPY.nothingLeft[this.lang] }]);
      return "none";
    }
    if (!this.state.parked) return "writing";
    await this.sendPart(packMessages(this.state.pending), (messages) =>
      this.deps.api.reply(replyToken, messages),
    );
    if (this.state.done) await this.deps.onComplete?.(generationId);
    return "sent";
  }

  private async end(last: LineMessage): Promise<void> {
    this.quiet();
    if (this.halted) return;
    this.failed = null; // the last word gets its own chance even if a background send failed
    await this.serial(async () => {
      if (this.state.done) return;
      if (!this.state.ended) {
        this.state.pending.push(last);
        this.state.ended = true;
        await this.save();
      }
      if (this.state.inflight) await this.sendInflight();
      if (!this.state.replyUsed) await this.replyNow(true);
      if (!this.state.done && !this.state.parked) await this.pushOrPark();
    });
    if (this.state.parked) throw this.incomplete();
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
    if (this.state.ended || this.state.replyUsed || this.halted) return;
    try {
      if (!(await this.deps.isCurrentAttempt(this.generationId, this.state.attempt))) return;
      await this.serial(() => (this.state.replyUsed ? Promise.resolve() : this.replyNow(false)));
    } catch (err) {
      // Surfaces at the pipeline's next call; logged here so a stall is visible too.
      this.deps.logger.warn(
        { err, generationId: this.generationId },
        "LINE reply at the token deadline failed",
      );
    }
  }

  /**
   * The one free reply: the whole draft when it is over and fits in 5 messages; otherwise what
   * is ready (at most 4) and a "Continue reading" card.
   */
  private async replyNow(final: boolean): Promise<void> {
    const packed = packMessages(this.state.pending);
    this.state.replyUsed = true;
    this.loading.stop();
    const whole = final && packed.length <= MAX_MESSAGES_PER_CALL;
    const part = whole ? packed : packed.slice(0, MAX_MESSAGES_PER_CALL - 1);
    const messages = this.addressed(whole ? part : [...part, this.continueCard(final ? "more" : "writing")]);
    if (!(await this.tryReply(messages, true))) {
      this.state.pending = packed; // everything is still to send, by whatever way is left
      return this.save();
    }
    this.state.pending = packed.slice(part.length);
    this.state.sent += part.length;
    if (whole) this.state.done = true;
    else this.state.continueOffered = true;
    await this.save();
  }

  /** The draft's first bubble, in a group: it quotes the request and mentions the requester. */
  private addressed(messages: LineMessage[]): LineMessage[] {
    if (this.state.sent > 0 || !messages[0]) return messages;
    return [addressedToRequester(messages[0], this.dest), ...messages.slice(1)];
  }

  /** The reply, or false when the token is spent or stale (or LINE's answer was lost). */
  private async tryReply(messages: LineMessage[], draft: boolean): Promise<boolean> {
    try {
      const ids = await this.deps.api.reply(this.dest.replyToken!, messages);
      chatMessagesSent.inc({ platform: "LINE", via: "reply" }, messages.length);
      if (draft) await this.record(ids);
      return true;
    } catch (error) {
      if (!(error instanceof LineApiError)) throw error;
      if (error.kind !== "invalid_reply_token" && error.kind !== "unavailable") throw error;
      this.deps.logger.info({ generationId: this.generationId, kind: error.kind }, "LINE reply not possible");
      return false;
    }
  }

  /** At the end, with the reply used: the rest by push where the policy allows, else it waits. */
  private async pushOrPark(): Promise<void> {
    this.state.pending = packMessages(this.state.pending);
    if (this.mayPush(true)) {
      await this.sendPart(this.state.pending, null);
      if (this.state.done || this.state.parked) return;
    }
    this.state.parked = true;
    if (!this.state.continueOffered) this.state.blocked ??= "reply_expired";
    await this.save();
  }

  /** Mid-draft under ALWAYS: pushes of 5 as they fill, the way the draft used to go. */
  private async pushFull(): Promise<void> {
    let packed = packMessages(this.state.pending);
    // The last bubble may still grow: push only full batches that leave one behind.
    while (packed.length > MAX_MESSAGES_PER_CALL && !this.state.blocked) {
      this.state.pending = packed.slice(MAX_MESSAGES_PER_CALL);
      if (!(await this.push(packed.slice(0, MAX_MESSAGES_PER_CALL)))) return;
      packed = this.state.pending;
    }
    this.state.pending = packed;
    await this.save();
  }

  /**
   * Sends `messages` from the front of the queue: by `reply` (one call; the rest waits for the
   * next tap) or by pushes of 5. Marks the draft done when the queue empties.
   */
  private async sendPart(
    messages: LineMessage[],
    reply: ((m: LineMessage[]) => Promise<string[]>) | null,
  ): Promise<void> {
    if (reply) {
      const whole = messages.length <= MAX_MESSAGES_PER_CALL;
      const part = whole ? messages : messages.slice(0, MAX_MESSAGES_PER_CALL - 1);
      const ids = await reply(this.addressed(whole ? part : [...part, this.continueCard("more")]));
      chatMessagesSent.inc({ platform: "LINE", via: "reply" }, part.length + (whole ? 0 : 1));
      await this.record(ids);
      this.state.pending = messages.slice(part.length);
      this.state.sent += part.length;
      if (whole) Object.assign(this.state, { done: true, parked: false, blocked: null });
      return this.save();
    }
    let rest = messages;
    while (rest.length) {
      this.state.pending = rest.slice(MAX_MESSAGES_PER_CALL);
      if (!(await this.push(rest.slice(0, MAX_MESSAGES_PER_CALL)))) return;
      rest = this.state.pending;
    }
    this.state.done = true;
    await this.save();
  }

  /** One push, written down before it leaves; false when the month's limit stopped it. */
  private async push(batch: LineMessage[]): Promise<boolean> {
    const messages = this.addressed(batch);
    this.state.inflight = { batch: this.state.batches, messages };
    this.state.batches += 1;
    await this.save(); // a retry resends exactly this, same key
    return this.sendInflight();
  }

  private async sendInflight(): Promise<boolean> {
    const inflight = this.state.inflight!;
    try {
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
      else chatMessagesSent.inc({ platform: "LINE", via: "push" }, inflight.messages.length);
    } catch (error) {
      if (!(error instanceof LineApiError) || error.kind !== "monthly_limit") throw error;
      return this.monthlyLimitReached(inflight.messages);
    }
    this.state.inflight = null;
    this.state.sent += inflight.messages.length;
    await this.save();
    return true;
  }

  /**
   * The account's pushes are used up this month: no more pushes; the rest (with a word about
   * why) waits for a free reply — the "Continue reading" tap. Counted, for the alert.
   */
  private async monthlyLimitReached(unsent: LineMessage[]): Promise<false> {
    chatPushRefused.inc({ platform: "LINE", reason: "monthly_limit" });
    this.deps.logger.warn(
      { generationId: this.generationId },
      "LINE monthly message limit reached; pushes stop",
    );
    this.state.inflight = null;
    this.state.blocked = "line_monthly_limit";
    this.state.pending = [
      { type: "text", text: monthlyLimitNotice(this.lang) },
      ...unsent,
      ...this.state.pending,
    ];
    this.state.parked = this.state.ended;
    await this.save();
    return false;
  }

  /**
   * The tier's rule: ALWAYS pushes what did not fit; FALLBACK only at the end, when no
   * "Continue reading" is in the chat; NEVER never. Groups and rooms cost one message per
   * member, so they are pushed only on ALWAYS; nothing is pushed past the monthly limit.
   */
  private mayPush(final: boolean): boolean {
    if (this.state.blocked === "line_monthly_limit") return false;
    const policy = this.state.policy ?? "FALLBACK";
    if (policy === "ALWAYS") return true;
    if (this.dest.chatType !== "user" || policy === "NEVER") return false;
    return final && !this.state.continueOffered;
  }

  private incomplete(): DeliveryIncomplete {
    const code = this.state.blocked ?? "awaiting_continue";
    return new DeliveryIncomplete(code, `LINE draft end not delivered: ${code}`);
  }

  private continueCard(still: "more" | "writing"): LineMessage {
    return continueCard(this.generationId, this.lang, still);
  }

  private replyDeadline(): number {
    return this.dest.receivedAt + (this.deps.replyDeadlineMs ?? REPLY_DEADLINE_MS);
  }

  private quiet(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.loading.stop();
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
