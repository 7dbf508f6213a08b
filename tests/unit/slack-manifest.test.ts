import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { SLACK_EVENTS_PATH } from "../../bot/slack/index.ts";
import { NEW_ARTICLE_SHORTCUT } from "../../bot/slack/listeners/shortcuts/new_article.ts";

describe("the Slack app manifest agrees with the code", () => {
  it("points every URL at the events route and names the command, shortcut, events and scopes the bot uses", async () => {
    const manifest = await readFile(new URL("../../deploy/slack-manifest.yml", import.meta.url), "utf8");
    const urls = [...manifest.matchAll(/^\s*(?:url|request_url): (\S+)$/gm)].map((m) => m[1]!);
    expect(urls).toHaveLength(3);
    for (const url of urls) expect(new URL(url).pathname).toBe(SLACK_EVENTS_PATH);
    expect(manifest).toMatch(/^\s*- command: \/article$/m);
    expect(manifest).toMatch(new RegExp(`^\\s*callback_id: ${NEW_ARTICLE_SHORTCUT}$`, "m"));
    const events = /bot_events:\n((?:\s+- .+\n)+)/
      .exec(manifest)![1]!
      .match(/- (\S+)/g)!
      .map((e) => e.slice(2));
    expect(events.sort()).toEqual(["app_mention", "message.im"]);
    const scopes = /bot:\n((?:\s+- .+\n)+)/
      .exec(manifest)![1]!
      .match(/- (\S+)/g)!
      .map((e) => e.slice(2));
    expect(scopes.sort()).toEqual([
      "app_mentions:read",
      "assistant:write",
      "chat:write",
      "chat:write.public",
      "commands",
      "files:write",
      "im:history",
      "users:read",
    ]);
  });
});
