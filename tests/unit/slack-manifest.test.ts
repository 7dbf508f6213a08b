import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { Backlog } from "../../bot/slack/backlog.ts";
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

describe("the intake backlog", () => {
  it("runs at most `concurrency` at once, in arrival order, and says when the line is full", async () => {
    const backlog = new Backlog(2, 3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const work = (i: number) =>
      backlog.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        order.push(i);
        running -= 1;
      });
    const all = [1, 2, 3, 4, 5].map(work);
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    expect(backlog.full).toBe(true);
    expect(backlog.size).toBe(5);
    while (order.length < 5) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(backlog.size).toBe(0);
    expect(backlog.full).toBe(false);
  });

  it("frees the slot of a task that failed", async () => {
    const backlog = new Backlog(1, 10);
    await expect(backlog.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(backlog.run(async () => "next")).resolves.toBe("next");
  });
});
