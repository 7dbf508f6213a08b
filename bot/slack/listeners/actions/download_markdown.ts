import type { App, BlockAction } from "@slack/bolt";
import { slackErrorCode } from "../../client.ts";
import { ACTIONS, plain, words } from "../../copy.ts";
import type { ListenerDeps } from "../deps.ts";
import { clickOf, findDraft, tellMissing } from "./drafts.ts";

/**
 * "Download .md": the whole draft as a Markdown file in the thread (files.uploadV2: get an
 * upload URL, send the bytes there, complete the upload into the channel and thread).
 * @see https://docs.slack.dev/messaging/working-with-files#uploading_files
 */
export function register(app: App, { desk, app: ctx }: ListenerDeps): void {
  app.action<BlockAction>(ACTIONS.download, async ({ ack, body, client }) => {
    await ack();
    const click = clickOf(body);
    if (!(await desk.once(`download:${click.trigger}`))) return;
    const replyTo = { channel: click.channel, threadTs: click.threadTs, user: click.user };
    const found = await findDraft(ctx, click.generationId, click.teamId);
    if (typeof found === "string" || !found.draft)
      return tellMissing(desk, click, found === "not_yours" ? "not_yours" : "gone");
    const t = words(found.request.language);
    try {
      await client.files.uploadV2({
        channel_id: found.delivery.channel ?? click.channel ?? click.user,
        thread_ts: found.delivery.rootTs ?? click.threadTs,
        filename: fileName(found.request.topic),
        title: found.request.topic,
        content: found.draft,
        snippet_type: "markdown",
      });
    } catch (error) {
      ctx.logger.warn(
        { code: slackErrorCode(error) ?? (error as Error).message },
        "could not upload a draft to slack",
      );
      await desk.tell(replyTo, plain(t.uploadFailed));
    }
  });
}

/** "AI in healthcare: 2030" → "AI-in-healthcare-2030.md" (Thai letters kept). */
export function fileName(topic: string): string {
  const stem = topic
    .normalize("NFC")
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${stem || "article"}.md`;
}
