import type { WebClient } from "@slack/web-api";
import type { Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import { slackErrorCode } from "./client.ts";
import { type Message, thinkingStatus, writingCard } from "./copy.ts";

/**
 * What a draft under the person's own message shows while it is not finished: Slack's thread
 * status ("is writing your draft…" with loading messages, `assistant.threads.setStatus`) until
 * the first text, and a small card with the Stop button while the text streams (a streamed
 * message carries no buttons until it stops). Both are best-effort: a draft is never failed
 * over them. `end` leaves nothing of either behind.
 */
export class ThreadStatus {
  private thinking = false;
  private cardPosted: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      client: WebClient;
      logger: Logger;
      /** Posts a message (paced like every new message in the channel). */
      post: (message: Message) => Promise<{ ts: string }>;
      channel: () => string;
      threadTs: () => string | undefined;
      /** The card's ts as saved with the generation (null while it is being posted or after it went). */
      card: { get: () => string | null | undefined; save: (ts: string | null) => Promise<void> };
    },
  ) {}

  async think(on: boolean, language: Language): Promise<void> {
    const threadTs = this.deps.threadTs();
    if (on === this.thinking || !threadTs) return;
    this.thinking = on;
    const status = thinkingStatus(language);
    try {
      await this.deps.client.assistant.threads.setStatus({
        channel_id: this.deps.channel(),
        thread_ts: threadTs,
        status: on ? status.status : "", // an empty status clears it
        ...(on ? { loading_messages: status.loading } : {}),
      });
    } catch (error) {
      this.deps.logger.info({ code: slackErrorCode(error) }, "could not set the slack thread status");
    }
  }

  /** Posts the Stop card once (a retried job keeps the one it saved). */
  showCard(language: Language, generationId: string, note?: string): Promise<void> {
    if (this.cardPosted || this.deps.card.get() !== undefined) return this.cardPosted ?? Promise.resolve();
    this.cardPosted = this.postCard(writingCard(language, generationId, note));
    return this.cardPosted;
  }

  /** A final state: the status cleared, the card removed. */
  async end(language: Language): Promise<void> {
    await this.cardPosted;
    await this.think(false, language);
    const card = this.deps.card.get();
    if (!card) return;
    await this.deps.client.chat.delete({ channel: this.deps.channel(), ts: card }).catch((error) => {
      this.deps.logger.info({ code: slackErrorCode(error) }, "could not remove the slack stop card");
    });
    await this.deps.card.save(null);
  }

  private async postCard(card: Message): Promise<void> {
    try {
      const posted = await this.deps.post(card);
      await this.deps.card.save(posted.ts);
    } catch (error) {
      this.deps.logger.info({ code: slackErrorCode(error) }, "could not post the slack stop card");
    }
  }
}
