import type { Language } from "../../core/domain.ts";
import type { ChatRequest } from "../../core/pipeline/index.ts";
import { blockedMessage, guidanceMessage, refusalMessage } from "./copy.ts";
import { destinationFor, type LineChat } from "./destination.ts";
import { type Incoming, type ListenerDeps, respond } from "./listeners/deps.ts";

/**
 * Hands a request to the core and answers what it decided: a queued draft shows the loading
 * animation (the draft itself comes from the worker's sink), guidance and refusals are
 * answered here in the person's language. Returns whether a draft was queued.
 */
export async function submit(
  ctx: ListenerDeps,
  incoming: Incoming,
  chat: LineChat & { userId: string },
  lang: Language,
  input: ChatRequest["input"],
  displayName?: string,
): Promise<boolean> {
  const { event } = incoming;
  const replyToken = "replyToken" in event ? event.replyToken : undefined;
  const result = await ctx.pipeline.accept({
    platform: "LINE",
    eventId: event.webhookEventId,
    tenant: { externalId: incoming.channel, name: ctx.botName() || undefined },
    requester: { externalId: chat.userId, displayName },
    input,
    destination: destinationFor(chat, replyToken, incoming.receivedAt, lang),
  });
  switch (result.kind) {
    case "queued":
      // Feedback at once; the sink renews it while the draft is written.
      if (chat.type === "user")
        ctx.api
          .showLoading(chat.id, 60)
          .catch((err) => ctx.logger.debug({ err }, "LINE loading animation not shown"));
      return true;
    case "duplicate":
      return false;
    case "guidance":
      await respond(ctx, incoming, chat, guidanceMessage(result.guidance));
      return false;
    case "refused":
      await respond(ctx, incoming, chat, refusalMessage(result.refusal, lang, ctx.app.config.quotaTimeZone));
      return false;
    case "blocked":
      await respond(ctx, incoming, chat, blockedMessage(lang));
      return false;
  }
}
