import type { Logger } from "../../core/logger.ts";
import type { LineApi } from "./client.ts";

/** LINE's longest animation (5–60 s in steps of 5). */
const LOADING_SECONDS = 60;
/** Asked for again before it lapses, while the draft is still being written. */
export const LOADING_RENEW_MS = 50_000;

/**
 * The "…" bubble in a one-to-one chat (LINE shows it nowhere else) while a draft is written:
 * shown at once and asked for again before its 60 s lapse, until the reply goes (a message
 * ends it anyway). Best effort: a failed call only loses the animation.
 *
 * https://developers.line.biz/en/reference/messaging-api/#display-a-loading-indicator
 */
export class LoadingAnimation {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly api: LineApi,
    private readonly logger: Logger,
    private readonly renewMs = LOADING_RENEW_MS,
  ) {}

  start(chatId: string, generationId: string): void {
    this.stop();
    const show = () =>
      this.api
        .showLoading(chatId, LOADING_SECONDS)
        .catch((err) => this.logger.debug({ err, generationId }, "LINE loading animation not shown"));
    void show();
    this.timer = setInterval(() => void show(), this.renewMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
