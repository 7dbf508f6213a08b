import { access, readFile } from "node:fs/promises";
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
    expect(events.sort()).toEqual(["app_home_opened", "app_mention", "message.im"]);
    // Each subscribed event has its listener, named for it (message.im → message_im.ts).
    for (const event of events)
      await access(
        new URL(`../../bot/slack/listeners/events/${event.replace(".", "_")}.ts`, import.meta.url),
      );
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

  it("uses Slack's agent messaging experience with a Home tab, within the manifest's limits", async () => {
    const manifest = await readFile(new URL("../../deploy/slack-manifest.yml", import.meta.url), "utf8");
    // New apps can only use agent_view; assistant_view's events (assistant_thread_started) are not sent under it.
    expect(manifest).toMatch(/^ {2}agent_view:$/m);
    expect(manifest).not.toMatch(/^\s*(?:assistant_view:|- assistant_thread_started)/m);
    const description = /^ {4}agent_description: (.+)$/m.exec(manifest)![1]!;
    expect(description.length).toBeLessThanOrEqual(300);
    // The bot publishes the Home tab (app_home_opened with tab "home").
    expect(manifest).toMatch(/^ {4}home_tab_enabled: true$/m);
    expect(manifest).toMatch(/^ {4}messages_tab_enabled: true$/m);
  });
});
