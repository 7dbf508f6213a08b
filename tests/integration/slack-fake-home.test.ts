import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slackLogger } from "../../bot/slack/client.ts";
import { createLogger } from "../../core/logger.ts";
import { MAX_SUGGESTED_PROMPTS } from "../fakes/slack/agent.ts";
import { HOME_LIMITS } from "../fakes/slack/home.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";

/**
 * The fake Slack's Home and agent methods hold the bot to Slack's documented limits, through
 * the real Web API client: a home view of at most 100 blocks, one to four suggested prompts in a
 * DM (a thread_ts silently ignored under agent_view, required under assistant_view), titles only
 * for threads that exist, and the locale only when users.info is asked for it.
 */

const prompt = (n: number) => ({ title: `Prompt ${n}`, message: `Write about ${n}` });
const codeOf = (error: unknown) => (error as { data?: { error?: string } }).data?.error ?? String(error);

describe("the fake Slack's Home tab and agent methods", () => {
  let agent: FakeSlack;
  let assistant: FakeSlack;
  let client: WebClient;
  let legacy: WebClient;

  beforeAll(async () => {
    agent = await startFakeSlack();
    assistant = await startFakeSlack({ view: "assistant" });
    // The client logs each platform error; the bot's own logger (silent here) takes them.
    const options = { retryConfig: { retries: 0 }, logger: slackLogger(createLogger("silent")) };
    client = new WebClient(agent.botToken, { slackApiUrl: agent.url, ...options });
    legacy = new WebClient(assistant.botToken, { slackApiUrl: assistant.url, ...options });
  });
  afterAll(async () => {
    await agent?.close();
    await assistant?.close();
  });

  it("publishes a home view within 100 blocks and refuses a longer one or a modal", async () => {
    const section = { type: "section", text: { type: "mrkdwn", text: "hi" } } as const;
    const blocks = Array.from({ length: HOME_LIMITS.blocks }, () => section);
    await client.views.publish({ user_id: "U1", view: { type: "home", blocks } });
    expect(agent.homeViews.get("U1")!.view.blocks).toHaveLength(100);
    await expect(
      client.views.publish({ user_id: "U1", view: { type: "home", blocks: [...blocks, section] } }),
    ).rejects.toSatisfy((e) => codeOf(e) === "invalid_arguments");
    const tooLong = { type: "section", text: { type: "mrkdwn", text: "x".repeat(3_001) } } as const;
    await expect(
      client.views.publish({ user_id: "U1", view: { type: "home", blocks: [tooLong] } }),
    ).rejects.toSatisfy((e) => codeOf(e) === "invalid_arguments");
  });

  it("takes one to four well-formed prompts in a DM, and ignores a thread under agent_view", async () => {
    const four = Array.from({ length: MAX_SUGGESTED_PROMPTS }, (_, i) => prompt(i));
    await client.assistant.threads.setSuggestedPrompts({ channel_id: "D1", title: "Try", prompts: four });
    expect(agent.suggestedPrompts).toEqual([{ channel: "D1", title: "Try", prompts: four }]);
    for (const prompts of [[...four, prompt(5)], [], [{ title: "no message", message: "" }]])
      await expect(
        client.assistant.threads.setSuggestedPrompts({ channel_id: "D1", prompts }),
      ).rejects.toSatisfy((e) => codeOf(e) === "invalid_arguments");
    await expect(
      client.assistant.threads.setSuggestedPrompts({ channel_id: "C1", prompts: four }),
    ).rejects.toSatisfy((e) => codeOf(e) === "channel_not_found");
    const answer = await client.assistant.threads.setSuggestedPrompts({
      channel_id: "D1",
      thread_ts: "1.2",
      prompts: four,
    });
    expect(answer.ok).toBe(true);
    expect(agent.suggestedPrompts).toHaveLength(1);
    // A legacy assistant_view app names the thread, and must.
    await legacy.assistant.threads.setSuggestedPrompts({ channel_id: "D1", thread_ts: "1.2", prompts: four });
    expect(assistant.suggestedPrompts).toHaveLength(1);
    await expect(
      legacy.assistant.threads.setSuggestedPrompts({ channel_id: "D1", prompts: four }),
    ).rejects.toSatisfy((e) => codeOf(e) === "invalid_arguments");
  });

  it("titles only a DM thread that exists", async () => {
    const sent = await client.chat.postMessage({ channel: "D2", text: "root" });
    await client.assistant.threads.setTitle({ channel_id: "D2", thread_ts: sent.ts!, title: "AI in retail" });
    expect(agent.threadTitles).toEqual([{ channel: "D2", threadTs: sent.ts, title: "AI in retail" }]);
    await expect(
      client.assistant.threads.setTitle({ channel_id: "D2", thread_ts: "9.9", title: "x" }),
    ).rejects.toSatisfy((e) => codeOf(e) === "invalid_thread_ts");
    await expect(
      client.assistant.threads.setTitle({ channel_id: "D2", thread_ts: sent.ts!, title: "" }),
    ).rejects.toSatisfy((e) => codeOf(e) === "invalid_arguments");
  });

  it("links existing messages and says the locale only when asked", async () => {
    const sent = await client.chat.postMessage({ channel: "C3", text: "hello" });
    const link = await client.chat.getPermalink({ channel: "C3", message_ts: sent.ts! });
    expect(link.permalink).toBe(`https://fake.slack.com/archives/C3/p${sent.ts!.replace(".", "")}`);
    await expect(client.chat.getPermalink({ channel: "C3", message_ts: "1.1" })).rejects.toSatisfy(
      (e) => codeOf(e) === "message_not_found",
    );
    agent.addUser({ id: "U9", locale: "th-TH" });
    expect((await client.users.info({ user: "U9" })).user?.locale).toBeUndefined();
    expect((await client.users.info({ user: "U9", include_locale: true })).user?.locale).toBe("th-TH");
  });
});
