import type { KnownBlock, WebClient } from "@slack/web-api";
import type { Logger } from "../../core/logger.ts";
import { slackErrorCode } from "./client.ts";
import type { ChannelPacer } from "./pacer.ts";

/**
 * One draft's text into Slack's native streams (chat.startStream / appendStream / stopStream),
 * as the model writes it. Text is buffered and sent about every `minChars` characters or
 * `maxWaitMs`, whichever comes first; the very first text starts the stream at once, so the
 * person sees the first words as soon as the model has them.
 *
 * A streamed message holds at most 12,000 characters of markdown and lives about five minutes:
 * before either runs out the writer stops it and carries on in a fresh one, and a stream Slack
 * already ended (`message_not_in_streaming_state`) is replaced the same way, with the text it
 * did not take replayed there. Nothing is sent twice and nothing is dropped.
 */

export interface StreamLimits {
  /** Send once this much text is waiting (Slack's own streamer buffers 256). */
  minChars: number;
  /** ...or once the oldest waiting text is this old. */
  maxWaitMs: number;
  /** chat.startStream/appendStream/stopStream markdown_text, and a streamed message in all. */
  maxChars: number;
  /** Roll over to a fresh message before Slack's ~5-minute stream lifetime. */
  lifetimeMs: number;
}

export const STREAM_LIMITS: StreamLimits = {
  minChars: 320,
  maxWaitMs: 800,
  maxChars: 12_000,
  lifetimeMs: 4 * 60_000 + 30_000,
};

export interface OpenStream {
  ts: string;
  chars: number;
  startedAt: number;
}

export interface StreamWriterDeps {
  client: WebClient;
  pacer: ChannelPacer;
  logger: Logger;
  limits: StreamLimits;
  channel: string;
  threadTs: string;
  /** Slack wants the recipient in every context (DMs included), or stopping the stream fails. */
  recipient: { user: string; team: string };
  open: OpenStream | null;
  /** A stream was started or replaced (saved with the generation, for a retried job). */
  onOpen: (open: OpenStream) => void;
}

/** Errors after which this draft is better posted as plain messages. */
export const NO_STREAM_FOR_APP = new Set([
  "unknown_method",
  "method_deprecated",
  "not_allowed_token_type",
  "missing_scope",
  "feature_not_enabled",
  "not_authorized",
]);
const ENDED = new Set(["message_not_in_streaming_state", "message_not_found", "msg_too_long"]);

export class StreamWriter {
  private pending = "";
  private lastSentAt = 0;
  private sending: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private error: unknown = null;
  private force = false;
  /** Why this draft cannot stream (startStream refused it); the caller posts messages instead. */
  unavailable: string | null = null;

  constructor(private readonly deps: StreamWriterDeps) {}

  get open(): OpenStream | null {
    return this.deps.open;
  }

  /** Buffers text; sends in the background when the cadence says so. */
  write(text: string): void {
    if (this.unavailable || !text) return;
    this.pending += text;
    this.kick();
  }

  /** Everything written so far is in Slack (or this draft cannot stream: see `unavailable`). */
  async drain(): Promise<void> {
    this.force = true;
    try {
      for (;;) {
        this.kick();
        if (this.sending) await this.sending;
        this.throwIfFailed();
        if (!this.pending || this.unavailable) return;
      }
    } finally {
      this.force = false;
    }
  }

  /**
   * Sends what is left and stops the stream with `blocks` under the text. Returns the ts of
   * the message they went under, or null when there was no stream to stop or Slack had already
   * ended it: the caller posts the blocks itself.
   */
  async close(blocks?: KnownBlock[]): Promise<string | null> {
    await this.drain();
    this.clearTimer();
    const open = this.deps.open;
    if (!open) return null;
    this.deps.open = null;
    try {
      await this.deps.client.chat.stopStream({
        channel: this.deps.channel,
        ts: open.ts,
        ...(blocks ? { blocks } : {}),
      });
      return open.ts;
    } catch (error) {
      this.deps.logger.info(
        { code: slackErrorCode(error) },
        "could not stop a slack stream; it ends on its own",
      );
      return null;
    }
  }

  dispose(): void {
    this.clearTimer();
  }

  private throwIfFailed(): void {
    if (this.error === null) return;
    const error = this.error;
    this.error = null;
    throw error;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private due(): boolean {
    if (!this.pending) return false;
    if (this.force || !this.deps.open) return true;
    return (
      this.pending.length >= this.deps.limits.minChars ||
      Date.now() - this.lastSentAt >= this.deps.limits.maxWaitMs
    );
  }

  private kick(): void {
    if (this.sending || this.error !== null || this.unavailable) return;
    if (this.due()) {
      this.clearTimer();
      this.sending = this.sendWhileDue().finally(() => {
        this.sending = null;
        if (this.pending) this.kick();
      });
      return;
    }
    if (this.pending && !this.timer) {
      const wait = Math.max(0, this.lastSentAt + this.deps.limits.maxWaitMs - Date.now());
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, wait);
      this.timer.unref();
    }
  }

  private async sendWhileDue(): Promise<void> {
    try {
      while (this.due() && !this.unavailable) await this.sendOnce();
    } catch (error) {
      this.error = error;
    }
  }

  private async sendOnce(): Promise<void> {
    const { limits } = this.deps;
    const open = this.deps.open;
    if (open && (Date.now() - open.startedAt >= limits.lifetimeMs || open.chars >= limits.maxChars))
      await this.rollOver();
    const current = this.deps.open;
    const piece = this.take(current ? limits.maxChars - current.chars : limits.maxChars, !current);
    if (!piece) {
      // No clean place to stop in what is left of this message: the rest starts the next one.
      if (current) current.chars = limits.maxChars;
      return;
    }
    this.lastSentAt = Date.now();
    if (!current) return this.start(piece);
    try {
      await this.deps.client.chat.appendStream({
        channel: this.deps.channel,
        ts: current.ts,
        markdown_text: piece,
      });
      current.chars += piece.length;
    } catch (error) {
      if (!ENDED.has(slackErrorCode(error) ?? "")) {
        this.pending = piece + this.pending;
        throw error;
      }
      // Slack ended this stream (idle, restarted worker, full): the text goes into a fresh one.
      this.pending = piece + this.pending;
      this.deps.open = null;
    }
  }

  private async start(piece: string): Promise<void> {
    try {
      const started = await this.deps.pacer.run(this.deps.channel, () =>
        this.deps.client.chat.startStream({
          channel: this.deps.channel,
          thread_ts: this.deps.threadTs,
          markdown_text: piece,
          recipient_user_id: this.deps.recipient.user,
          recipient_team_id: this.deps.recipient.team,
        }),
      );
      if (!started.ts) throw new Error("chat.startStream answered without a ts");
      this.deps.open = { ts: started.ts, chars: piece.length, startedAt: Date.now() };
      this.deps.onOpen(this.deps.open);
    } catch (error) {
      const code = slackErrorCode(error);
      this.pending = piece + this.pending;
      if (code === null) throw error; // transport trouble: the job retries
      // Not for this app, not here, or throttled (Tier 2): this draft is posted as messages.
      this.unavailable = code;
      this.pending = "";
    }
  }

  private async rollOver(): Promise<void> {
    const open = this.deps.open;
    this.deps.open = null;
    if (!open) return;
    await this.deps.client.chat.stopStream({ channel: this.deps.channel, ts: open.ts }).catch((error) => {
      this.deps.logger.info({ code: slackErrorCode(error) }, "could not stop a full slack stream");
    });
  }

  /**
   * Up to `room` characters off the front of what is waiting, cut at a paragraph, line or
   * space when it cannot all go, and never between the halves of a surrogate pair.
   */
  private take(room: number, fresh: boolean): string {
    if (fresh) this.pending = this.pending.replace(/^\n+/, "");
    if (room <= 0 || !this.pending) return "";
    let end = this.pending.length;
    if (end > room) {
      const window = this.pending.slice(0, room);
      const floor = Math.floor(room / 2);
      const at = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" ")].find(
        (i) => i >= floor,
      );
      if (at === undefined && !fresh) return "";
      end = at ?? room;
      const code = this.pending.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    }
    const piece = this.pending.slice(0, end);
    this.pending = this.pending.slice(end);
    return piece;
  }
}
