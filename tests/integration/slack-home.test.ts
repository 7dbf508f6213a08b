import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import type { AppContext } from "../../core/app.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "../../core/records/tiers.ts";
import { guidance } from "../../core/request/guidance.ts";
import type { HttpServer } from "../../ops/server.ts";
import type { FakeMessage, FakeSlack } from "../fakes/slack.ts";
import { type SlackBot, startSlackBot } from "../helpers/slack-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * Slack's home surfaces and Thai end to end, over signed requests to the real bot: the App Home
 * tab (usage, latest drafts with links, New article), the agent DM (suggested prompts when it
 * opens, thread titles from the topic) and people's locales (users.info with include_locale)
 * choosing the language of the form and of answers that have no typed text to go by.
 */

const id = (prefix: string) => `${prefix}${randomBytes(4).toString("hex").toUpperCase()}`;
const textOf = (blocks: any[]) => JSON.stringify(blocks);

describe("Slack's App Home, agent DM and Thai on PostgreSQL + Redis", () => {
  let slack: FakeSlack;
  let bot: SlackBot;
  let app: AppContext;
  let server: HttpServer;

  beforeAll(async () => {
    bot = await startSlackBot("ab_slack_home", {
      generator: { maxAttempts: 1 },
      platform: { pacingMs: 20, statusIntervalMs: 0, streamingRetryMs: 0 },
    });
    ({ slack, app, server } = bot);
  });

  afterAll(async () => {
    await bot?.close();
  });

  const delivered = (eventId: string) =>
    until(`the draft of ${eventId}`, async () => {
      const g = await app.db.prisma.generation.findUnique({ where: { requestKey: `SLACK:${eventId}` } });
      const state = readSlackDeliveryState(g?.deliveryState ?? {});
      return g?.status === "DELIVERED" && state.closedTs ? g : null;
    });
  const tierOf = async (externalId: string) =>
    effectiveTier(
      await app.db.prisma.requester.findFirstOrThrow({ where: { externalId }, include: WITH_EFFECTIVE_TIER }),
    );
  const homeOf = (user: string, after = 0) =>
    until(`${user}'s home tab`, () => {
      const published = slack.callsTo("views.publish").filter((c) => c.args.user_id === user);
      return published.length > after ? slack.homeViews.get(user)! : null;
    });
  const ephemeralTo = (user: string) =>
    until(`an answer to ${user}`, () => slack.ephemerals.find((e) => e.user === user) ?? null);
  const modalFor = (triggerId: string) =>
    until("the form", () => slack.views.find((v) => v.triggerId === triggerId)?.view ?? null);
  const initialLanguage = (view: any) =>
    view.blocks.find((b: any) => b.block_id === "language").element.initial_option.value;

  it("publishes the Home tab with today's usage and its reset, this month's budget and the latest drafts linked to their threads", async () => {
    const user = id("U");
    const sent = await slack.directMessage(server.url, {
      user,
      text: "AI in retail for executives, 600 words",
    });
    const draft = await delivered(sent.eventId);
    const thread = readSlackDeliveryState(draft.deliveryState ?? {}).rootTs!;

    const opened = await slack.openHome(server.url, { user, tab: "home" });
    expect(opened.delivery.status).toBe(200);
    const home = await homeOf(user);
    const blocks = textOf(home.view.blocks);
    const tier = await tierOf(user);
    expect(blocks).toContain(`Today: 1 of ${tier.dailyArticleLimit} articles · resets <!date^`);
    expect(blocks).toContain(`This month: $`);
    expect(blocks).toContain(`*Your usage* · ${tier.name} plan`);
    const permalink = `https://fake.slack.com/archives/${sent.channel}/p${thread.replace(".", "")}`;
    expect(blocks).toContain(`*<${permalink}|${draft.topic}>*`);
    expect(blocks).toContain(`:white_check_mark: done · ${draft.words!.toLocaleString("en-US")} words`);
    expect(slack.callsTo("views.publish").at(-1)!.response.ok).toBe(true);

    // Reopening reads the permalink from memory; the person was looked up once, with the locale.
    await slack.openHome(server.url, { user, tab: "home" });
    await homeOf(user, 1);
    expect(slack.callsTo("chat.getPermalink").filter((c) => c.args.message_ts === thread)).toHaveLength(1);
    const lookups = slack.callsTo("users.info").filter((c) => c.args.user === user);
    expect(lookups).toHaveLength(1);
    expect(String(lookups[0]!.args.include_locale)).toBe("true"); // form-encoded, as the SDK sends it

    // New article opens the same form, with no channel: the draft goes to the person's DM.
    const click = await slack.clickHomeButton(server.url, user, "home_new_article");
    const form = await modalFor(click.triggerId);
    expect(form.callback_id).toBe("article_request");
    expect(JSON.parse(form.private_metadata)).toEqual({ channel: null, language: "en" });
  });

  it("shows a newcomer an empty Home tab in Thai when their Slack locale is Thai", async () => {
    const user = id("U");
    slack.addUser({ id: user, locale: "th-TH" });
    await slack.openHome(server.url, { user, tab: "home" });
    const home = await homeOf(user);
    const blocks = textOf(home.view.blocks);
    expect(blocks).toContain("วันนี้: 0 จาก");
    expect(blocks).toContain("ยังไม่มีบทความ");
    expect(home.view.blocks.find((b: any) => b.type === "actions").elements[0]).toMatchObject({
      text: { text: "บทความใหม่" },
      value: "th",
    });
    const click = await slack.clickHomeButton(server.url, user, "home_new_article");
    expect((await modalFor(click.triggerId)).title.text).toBe("บทความใหม่");
  });

  it("pins suggested prompts in the person's language when they open the DM, without naming a thread", async () => {
    const english = id("U");
    const thai = id("U");
    slack.addUser({ id: thai, locale: "th-TH" });
    await slack.openHome(server.url, { user: english, tab: "messages" });
    await slack.openHome(server.url, { user: thai, tab: "messages" });
    const pinned = (user: string) =>
      until(`prompts for ${user}`, () =>
        slack.suggestedPrompts.find((p) => p.channel === `D${user.slice(1)}`),
      );
    const en = await pinned(english);
    const th = await pinned(thai);
    expect(en.prompts).toHaveLength(4);
    expect(en.title).toBe("Ask for an article");
    expect(th.title).toBe("ขอบทความ");
    expect(th.prompts.map((p) => p.message)).toContain("วันนี้เหลือกี่บทความ");
    for (const call of slack.callsTo("assistant.threads.setSuggestedPrompts")) {
      expect(call.args.thread_ts).toBeUndefined();
      expect(call.response.ok).toBe(true);
    }
    expect(slack.callsTo("views.publish").filter((c) => c.args.user_id === english)).toHaveLength(0);
  });

  it("titles the DM thread a request starts with its topic; a reply that revises it and a channel mention set no title", async () => {
    const user = id("U");
    const sent = await slack.directMessage(server.url, {
      user,
      text: "smart factories for plant managers, practical, 600 words",
    });
    const draft = await delivered(sent.eventId);
    const title = await until("a thread title", () =>
      slack.threadTitles.find((t) => t.channel === sent.channel && t.threadTs === sent.ts),
    );
    expect(title.title).toBe(draft.topic);
    const titles = slack.callsTo("assistant.threads.setTitle").length;

    const thread = readSlackDeliveryState(draft.deliveryState ?? {}).rootTs!;
    await slack.directMessage(server.url, { user, text: "make it shorter", threadTs: thread });
    await until("the revision", () => app.db.prisma.generation.findFirst({ where: { revisesId: draft.id } }));
    const mention = await slack.mention(server.url, {
      channel: id("C"),
      user,
      text: `<@${slack.botUserId}> the future of digital banking for CIOs, 400 words`,
    });
    await delivered(mention.eventId);
    expect(slack.callsTo("assistant.threads.setTitle")).toHaveLength(titles);
  });

  it("speaks Thai to a Thai-locale person where nothing typed says otherwise, and follows what people type", async () => {
    const thai = id("U");
    const english = id("U");
    slack.addUser({ id: thai, locale: "th-TH" });
    const channel = id("C");

    // /article with nothing typed: a Thai form, the article in Thai by default.
    const empty = await slack.command(server.url, { user: thai, channel });
    const thaiForm = await modalFor(empty.triggerId);
    expect(thaiForm.title.text).toBe("บทความใหม่");
    expect(initialLanguage(thaiForm)).toBe("th");
    // An English topic: English words and an English article, whatever the locale.
    const typedEnglish = await slack.command(server.url, { user: thai, channel, text: "AI in retail" });
    const englishForm = await modalFor(typedEnglish.triggerId);
    expect(englishForm.title.text).toBe("New article");
    expect(initialLanguage(englishForm)).toBe("en");
    // A Thai topic from an English-locale person: Thai words, Language defaults to Thai.
    const typedThai = await slack.command(server.url, { user: english, channel, text: "อนาคตของธนาคารดิจิทัล" });
    const fromTopic = await modalFor(typedThai.triggerId);
    expect(fromTopic.title.text).toBe("บทความใหม่");
    expect(initialLanguage(fromTopic)).toBe("th");

    // The Thai form's field errors are Thai.
    const opened = slack.views.find((v) => v.triggerId === empty.triggerId)!;
    const refused = await slack.submitView(server.url, opened.id, thai, { topic: "🚀 !!!" });
    expect(refused.json).toEqual({ response_action: "errors", errors: { topic: "กรุณาพิมพ์หัวข้อเป็นคำอธิบาย" } });

    // A bare mention: the core's guidance in Thai.
    await slack.mention(server.url, { channel, user: thai, text: `<@${slack.botUserId}>` });
    expect((await ephemeralTo(thai)).text).toBe(guidance("empty", "th").message);

    // A button whose draft is gone: "no longer available" in Thai.
    const stale: FakeMessage = {
      channel,
      ts: "1700000000.000100",
      text: "old draft",
      blocks: [
        {
          type: "actions",
          block_id: "draft_actions",
          elements: [
            {
              type: "button",
              action_id: "regenerate",
              value: "no-such-generation",
              text: { type: "plain_text", text: "Regenerate" },
            },
          ],
        },
      ],
      appends: 0,
      via: "chat.postMessage",
      bot: true,
      updates: 0,
    };
    await slack.clickButton(server.url, stale, "regenerate", english);
    await slack.clickButton(server.url, stale, "regenerate", thai);
    expect((await ephemeralTo(english)).text).toBe("That draft is no longer available.");
    const gone = await until("the Thai answer", () =>
      slack.ephemerals.find((e) => e.user === thai && e.text !== guidance("empty", "th").message),
    );
    expect(gone.text).toBe("ไม่พบบทความนี้แล้ว");
  });
});
