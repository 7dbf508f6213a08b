import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import { slackPlatform } from "../../bot/slack/index.ts";
import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import { effectiveTier, WITH_EFFECTIVE_TIER } from "../../core/records/tiers.ts";
import { shorterTarget } from "../../core/request/rules.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import type { FakeOpenAI } from "../fakes/openai.ts";
import type { FakeMessage, FakeSlack } from "../fakes/slack.ts";
import { type SlackBot, startSlackBot } from "../helpers/slack-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * The Slack bot end to end: the real bot server and Bolt, PostgreSQL, Redis, BullMQ and the
 * worker, talking to a fake Slack (both directions, signed as Slack signs) and a fake OpenAI.
 */

let bot: SlackBot;
let openai: FakeOpenAI;
let slack: FakeSlack;
let app: AppContext;
let pipeline: Pipeline;
let server: HttpServer;

const id = (prefix: string) => `${prefix}${randomBytes(4).toString("hex").toUpperCase()}`;
const chatCalls = () => openai.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
const generation = (eventId: string) =>
  app.db.prisma.generation.findUnique({
    where: { requestKey: `SLACK:${eventId}` },
    include: { requester: true, tenant: true },
  });
const usedToday = async (requesterId: string) => {
  const r = await app.db.prisma.requester.findUniqueOrThrow({
    where: { id: requesterId },
    include: WITH_EFFECTIVE_TIER,
  });
  return (await pipeline.quotas.usage(r.id, effectiveTier(r))).today.used;
};
const stateOf = (g: { deliveryState: unknown }) => (g.deliveryState ?? {}) as SlackDeliveryState;
/** The generation once its closing message (or apology) is in Slack. */
const settled = (requestKey: string) =>
  until(`generation ${requestKey} settled`, async () => {
    const g = await app.db.prisma.generation.findUnique({
      where: { requestKey },
      include: { requester: true, tenant: true },
    });
    if (!g || stateOf(g).cardTs) return null; // a final state removes the Stop card
    if (g.status === "DELIVERED" && stateOf(g).closedTs) return g;
    if (
      g.status === "FAILED" &&
      slack
        .messages()
        .some(
          (m) =>
            m.blocks?.some((b: any) => b.block_id === "failure_actions") &&
            m.blocks?.[1]?.elements?.[0]?.value === g.id,
        )
    )
      return g;
    return null;
  });
const closingOf = (channel: string, g: { deliveryState: unknown }) =>
  slack.messages(channel).find((m) => m.ts === stateOf(g).closedTs)!;
const sectionTexts = (m: FakeMessage) =>
  (m.blocks ?? []).flatMap((b: any) =>
    b.type === "section" ? [b.text.text as string] : b.type === "header" ? [b.text.text as string] : [],
  );
const failedCalls = () =>
  slack.calls
    .filter((c) => c.status !== 200 || c.response.ok === false)
    .map((c) => ({ method: c.method, status: c.status, error: c.response.error, channel: c.args.channel }));

beforeAll(async () => {
  bot = await startSlackBot("ab_slack", {
    generator: {
      firstTokenTimeoutMs: 2_000,
      idleTimeoutMs: 2_000,
      maxAttempts: 2,
      backoff: { baseDelayMs: 20, maxDelayMs: 50 },
      circuit: { failureThreshold: 50, windowMs: 10_000, coolDownMs: 500 },
    },
    platform: { pacingMs: 60, statusIntervalMs: 0, streamingRetryMs: 0 },
  });
  ({ openai, slack, app, pipeline, server } = bot);
  // Slack's per-channel limit, enforced: the bot's pacing must keep every post under it.
  slack.set({ channelIntervalMs: 40 });
});

afterAll(async () => {
  await bot?.close();
});

describe("Slack: a mention becomes a streamed thread", () => {
  let channel: string;
  let eventId: string;

  it("acknowledges, then streams the draft under the person's own message and closes it with blocks", async () => {
    channel = id("C");
    const user = id("U");
    slack.addUser({ id: user, displayName: "Ploy", realName: "Ploy S." });
    const sent = await slack.mention(server.url, {
      channel,
      user,
      text: `<@${slack.botUserId}> write about AI in healthcare for executives, 600 words`,
    });
    eventId = sent.eventId;
    expect(sent.delivery.status).toBe(200);
    expect(sent.delivery.text).toBe("");

    const g = await settled(`SLACK:${eventId}`);
    expect(g.status).toBe("DELIVERED");
    expect(g.tenant.externalId).toBe(slack.teamId);
    expect(g.requester.externalId).toBe(user);
    expect(g.requester.displayName).toBe("Ploy");
    expect((g.request as any).targetWords).toBe(600);

    // The person's message is the thread: no parent of the bot's, no "Writing: …" anywhere.
    const state = stateOf(g);
    expect(state.rootTs).toBe(sent.ts);
    expect(state.parentTs).toBeUndefined();
    expect(slack.messages(channel).filter((m) => m.bot && !m.threadTs)).toHaveLength(0);
    const [asked, ...replies] = slack.thread(channel, sent.ts);
    expect(asked!.ts).toBe(sent.ts);
    expect(JSON.stringify(slack.messages(channel))).not.toContain("Writing:");

    // While the model thought, the thread said so with loading messages; then it was cleared.
    const statuses = slack.statuses.filter((st) => st.threadTs === sent.ts);
    expect(statuses[0]!.status).toBe("is writing your draft…");
    expect(statuses[0]!.loading.length).toBeGreaterThan(0);
    expect(statuses.at(-1)!.status).toBe("");

    // One streamed reply with the whole draft, in order; the Stop card is gone.
    expect(replies).toHaveLength(1);
    const streamed = replies[0]!;
    expect(streamed.via).toBe("chat.startStream");
    expect(streamed.streaming).toBe(false);
    expect(streamed.markdown!.replace(/\s+/g, " ").trim()).toBe(g.draft!.replace(/\s+/g, " ").trim());
    expect(g.chunksDelivered).toBeGreaterThan(1);
    expect(slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channel)).toHaveLength(1); // the card
    expect(slack.callsTo("chat.delete")).toContainEqual(expect.objectContaining({ status: 200 }));

    // chat.stopStream carried the closing blocks: word count, sources, 👍/👎 and the buttons.
    expect(streamed.ts).toBe(state.closedTs);
    expect(sectionTexts(streamed)[0]).toContain(`${g.words!.toLocaleString("en-US")} words`);
    const buttons = streamed
      .blocks!.find((b: any) => b.type === "actions")
      .elements.map((e: any) => e.action_id);
    expect(buttons).toEqual(["regenerate", "shorten", "download_markdown"]);
    const feedback = streamed.blocks!.find((b: any) => b.type === "context_actions").elements[0];
    expect(feedback.type).toBe("feedback_buttons");
    expect(feedback.positive_button.value).toBe(`up:${g.id}`);
    expect(feedback.negative_button.value).toBe(`down:${g.id}`);
    expect(failedCalls()).toEqual([]);
  });

  it("stores one 👍/👎 per person per draft, and a second click changes it", async () => {
    const g = (await generation(eventId))!;
    const streamed = closingOf(channel, g);
    const voter = id("U");
    await slack.clickButton(server.url, streamed, "draft_feedback", voter);
    await until("vote stored", async () =>
      (await app.db.prisma.generation.findUniqueOrThrow({ where: { id: g.id } })).votesUp === 1 ? true : null,
    );
    await slack.clickButton(server.url, streamed, "draft_feedback", voter, { feedback: "negative" });
    const after = await until("vote changed", async () => {
      const row = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: g.id } });
      return row.votesDown === 1 ? row : null;
    });
    expect(after.votesUp).toBe(0);
    const votes = await app.db.prisma.draftFeedback.findMany({ where: { generationId: g.id } });
    expect(votes.map((v) => [v.voterId, v.vote])).toEqual([[voter, "DOWN"]]);
  });

  it("tells a colleague's identical request that it came from the topic cache, with no new tokens", async () => {
    const before = chatCalls();
    const other = id("U");
    const sent = await slack.mention(server.url, {
      channel,
      user: other,
      text: `<@${slack.botUserId}> Write about AI in healthcare for executives, 600 words!`,
    });
    const g = await settled(`SLACK:${sent.eventId}`);
    expect(g.cacheHit).toBe(true);
    expect(chatCalls()).toBe(before);
    const streamed = closingOf(channel, g);
    expect(sectionTexts(streamed)[0]).toContain("from the topic cache");
    // Posted in one go: the whole draft starts the stream, no appends, no thinking status.
    expect(streamed.appends).toBe(0);
    expect(streamed.markdown).toBe(g.draft);
    expect(slack.statuses.filter((st) => st.threadTs === sent.ts)).toEqual([]);
  });

  it("uploads the draft as a Markdown file into the thread (files.uploadV2's three steps)", async () => {
    const g = (await generation(eventId))!;
    const closing = closingOf(channel, g);
    const clicked = await slack.clickButton(server.url, closing, "download_markdown", g.requester.externalId);
    expect(clicked.delivery.status).toBe(200);
    const file = await until("file shared", () =>
      slack.files.find((f) => f.completed && f.threadTs === stateOf(g).rootTs),
    );
    expect(file.content).toBe(g.draft);
    expect(file.filename).toMatch(/^AI-in-healthcare.*\.md$/);
    expect(file.channel).toBe(channel);
    const steps = slack.calls
      .filter((c) =>
        ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"].includes(c.method),
      )
      .map((c) => c.method);
    expect(steps).toEqual(["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]);
  });

  it("Regenerate and Shorten revise this draft in its thread, using no article slot; clicked buttons are replaced", async () => {
    const g = (await generation(eventId))!;
    const before = chatCalls();
    const topLevel = () => slack.messages(channel).filter((m) => m.bot && !m.threadTs).length;
    const topBefore = topLevel();
    const usedBefore = await usedToday(g.requesterId);
    const closing = closingOf(channel, g);
    await slack.clickButton(server.url, closing, "regenerate", g.requester.externalId);
    const again = await until("regenerated version", async () => {
      const row = await app.db.prisma.generation.findFirst({ where: { revisesId: g.id } });
      return row && stateOf(row).closedTs ? row : null;
    });
    expect(again.draftId).toBe(g.draftId);
    expect((again.request as any).tone).toBe("visionary");
    expect((again.request as any).topic).toBe((g.request as any).topic);
    expect(again.cacheHit).toBe(false);
    expect(chatCalls()).toBe(before + 1);
    expect(stateOf(again).rootTs).toBe(stateOf(g).rootTs); // the same thread
    expect(topLevel()).toBe(topBefore); // no new top-level message
    const streamed = closingOf(channel, again);
    expect(streamed.threadTs).toBe(stateOf(g).rootTs);
    expect(streamed.via).toBe("chat.startStream");
    const clicked = slack.messages(channel).find((m) => m.ts === closing.ts)!;
    expect(clicked.blocks!.some((b: any) => b.type === "actions")).toBe(false);
    expect(JSON.stringify(clicked.blocks)).toContain("Revising");

    await slack.clickButton(server.url, closingOf(channel, again), "shorten", g.requester.externalId);
    const shorter = await until("shortened version", async () => {
      const row = await app.db.prisma.generation.findFirst({ where: { revisesId: again.id } });
      return row && stateOf(row).closedTs ? row : null;
    });
    expect(shorter.targetWords).toBe(shorterTarget(again.words!));
    expect(shorter.instruction).toBe("shorter");
    expect((shorter.request as any).tone).toBe("visionary");
    expect(stateOf(shorter).rootTs).toBe(stateOf(g).rootTs);
    expect(topLevel()).toBe(topBefore);
    expect(await usedToday(g.requesterId)).toBe(usedBefore); // revisions use no article slot
    expect(failedCalls()).toEqual([]);
  });
});

describe("Slack: ways in", () => {
  it("answers a direct message with a thread in the DM", async () => {
    const user = id("U");
    const sent = await slack.directMessage(server.url, {
      user,
      text: "the future of digital banking in Thailand for CIOs, 400 words",
    });
    expect(sent.delivery.status).toBe(200);
    const g = await settled(`SLACK:${sent.eventId}`);
    const state = stateOf(g);
    expect(state.channel).toBe(sent.channel);
    expect(state.rootTs).toBe(sent.ts); // under the person's own message
    const thread = slack.thread(sent.channel, sent.ts);
    expect(thread.map((m) => m.via)).toEqual(["user", "chat.startStream"]); // the request, the draft with its blocks
    expect((g.request as any).audience).toMatch(/CIOs/i);

    // A reply inside the draft's thread is about the draft: thanks is answered there, with no article.
    const reply = await slack.directMessage(server.url, { user, text: "thanks!", threadTs: sent.ts });
    expect(reply.delivery.status).toBe(200);
    const answer = await until("small talk answer", () =>
      slack.thread(sent.channel, sent.ts).find((m) => m.bot && m.text.includes("You're welcome")),
    );
    expect(answer.threadTs).toBe(sent.ts);
    expect(await generation(reply.eventId)).toBeNull();

    // A message in a thread of its own (Slack's AI-app view writes every conversation so) is a request, answered there.
    const own = await slack.directMessage(server.url, { user, text: "hello" });
    const inThread = await slack.directMessage(server.url, {
      user,
      text: "write about open banking APIs, 300 words",
      threadTs: own.ts,
    });
    const t = await settled(`SLACK:${inThread.eventId}`);
    expect(stateOf(t).rootTs).toBe(own.ts);
    expect(closingOf(sent.channel, t).threadTs).toBe(own.ts);
  });

  it("/article opens the form at once; submitting it writes the draft in that channel", async () => {
    const channel = id("C");
    const user = id("U");
    const { triggerId, delivery } = await slack.command(server.url, {
      user,
      channel,
      text: "smart factories",
    });
    expect(delivery.status).toBe(200);
    const opened = await until("modal opened", () => slack.views.find((v) => v.triggerId === triggerId));
    const topicBlock = opened.view.blocks.find((b: any) => b.block_id === "topic");
    expect(topicBlock.element.initial_value).toBe("smart factories");

    const submitted = await slack.submitView(server.url, opened.id, user, {
      topic: "Smart factories in Thailand",
      industry: "manufacturing",
      audience: "plant managers",
      length: "500",
      keywords: "IoT, predictive maintenance",
      tone: "practical",
    });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe(""); // closes the modal
    const g = await settled(`SLACK:view:${opened.id}`);
    expect(g.request).toMatchObject({
      topic: "Smart factories in Thailand",
      industry: "manufacturing",
      audience: "plant managers",
      targetWords: 500,
      keywords: ["IoT", "predictive maintenance"],
      tone: "practical",
      language: "en",
    });
    expect(stateOf(g).channel).toBe(channel);
    // A form has no message of its own: a parent starts the thread, and ends in a final state.
    const parent = slack.messages(channel).find((m) => m.ts === stateOf(g).parentTs)!;
    expect(parent.threadTs).toBeUndefined();
    expect(parent.text).toBe("Smart factories in Thailand");
    expect(JSON.stringify(parent.blocks)).not.toContain("Writing");
    expect(JSON.stringify(parent.blocks)).toContain(":white_check_mark:");
    expect(parent.blocks!.some((b: any) => b.type === "actions")).toBe(false); // no Stop left
    expect(closingOf(channel, g).threadTs).toBe(parent.ts);
  });

  it("keeps the form open with field errors when the topic has no words", async () => {
    const { triggerId } = await slack.command(server.url, { user: id("U"), channel: id("C") });
    const opened = await until("modal opened", () => slack.views.find((v) => v.triggerId === triggerId));
    const submitted = await slack.submitView(server.url, opened.id, id("U"), { topic: "!!! ???" });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toEqual({ response_action: "errors", errors: { topic: expect.any(String) } });
  });

  it("opens the same form from the global shortcut; the draft goes to the person's DM", async () => {
    const user = id("U");
    const { triggerId } = await slack.shortcut(server.url, { user, callbackId: "new_article" });
    const opened = await until("modal opened", () => slack.views.find((v) => v.triggerId === triggerId));
    await slack.submitView(server.url, opened.id, user, { topic: "Renewable energy storage", length: "300" });
    const g = await settled(`SLACK:view:${opened.id}`);
    expect(stateOf(g).channel).toBe(`D${user.slice(1)}`);
  });

  it("answers help and empty mentions with guidance and examples, spending no LLM tokens", async () => {
    const before = chatCalls();
    const channel = id("C");
    const user = id("U");
    await slack.mention(server.url, { channel, user, text: `<@${slack.botUserId}> help` });
    await slack.mention(server.url, { channel, user, text: `<@${slack.botUserId}>` });
    const answers = await until("two guidance answers", () => {
      const mine = slack.ephemerals.filter((e) => e.channel === channel && e.user === user);
      return mine.length === 2 ? mine : null;
    });
    for (const a of answers)
      expect(JSON.stringify(a.blocks)).toContain("write an article about AI in retail");
    const help = await slack.command(server.url, { user, channel, text: "help" });
    expect(help.delivery.json.response_type).toBe("ephemeral");
    expect(help.delivery.json.text).toMatch(/business-article drafts/);
    expect(chatCalls()).toBe(before);
    expect(slack.messages(channel).filter((m) => m.bot)).toHaveLength(0);
  });
});

describe("Slack: acknowledgement, retries and signatures", () => {
  it("acknowledges before any database, cache or LLM work starts", async () => {
    const channel = id("C");
    const user = id("U");
    const release = slack.hold("users.info"); // the first thing after the ack waits here
    const before = chatCalls();
    const sent = await slack.mention(server.url, {
      channel,
      user,
      text: `<@${slack.botUserId}> supply chain resilience for COOs, 300 words`,
    });
    expect(sent.delivery.status).toBe(200);
    // The 200 is in, and nothing has been done yet: no requester, no generation, no LLM call.
    expect(await app.db.prisma.requester.count({ where: { externalId: user } })).toBe(0);
    expect(await generation(sent.eventId)).toBeNull();
    expect(chatCalls()).toBe(before);
    const ackSeq = sent.delivery.seq;
    release();
    const g = await settled(`SLACK:${sent.eventId}`);
    expect(g.status).toBe("DELIVERED");
    expect(chatCalls()).toBe(before + 1);
    const firstPost = slack.calls.find((c) => c.method === "chat.startStream" && c.args.channel === channel)!;
    expect(firstPost.seq).toBeGreaterThan(ackSeq);
  });

  it("writes one draft for an event Slack retried (X-Slack-Retry-Num, same event_id)", async () => {
    const channel = id("C");
    const user = id("U");
    const eventId = id("Ev");
    const first = await slack.mention(
      server.url,
      { channel, user, text: `<@${slack.botUserId}> edge computing in retail, 300 words` },
      { eventId },
    );
    const retry1 = await slack.mention(
      server.url,
      { channel, user, text: `<@${slack.botUserId}> edge computing in retail, 300 words` },
      { eventId, retryNum: 1, retryReason: "http_timeout" },
    );
    const retry2 = await slack.mention(
      server.url,
      { channel, user, text: `<@${slack.botUserId}> edge computing in retail, 300 words` },
      { eventId, retryNum: 2, retryReason: "http_timeout" },
    );
    expect([first, retry1, retry2].map((r) => r.delivery.status)).toEqual([200, 200, 200]);
    await settled(`SLACK:${eventId}`);
    expect(await app.db.prisma.generation.count({ where: { requester: { externalId: user } } })).toBe(1);
    expect(slack.messages(channel).filter((m) => m.via === "chat.startStream")).toHaveLength(1);

    // Guidance is not an article, and is still answered once.
    const helpId = id("Ev");
    for (const retryNum of [undefined, 1, 2])
      await slack.mention(
        server.url,
        { channel, user, text: `<@${slack.botUserId}> help` },
        { eventId: helpId, retryNum },
      );
    const later = await slack.mention(server.url, { channel, user, text: `<@${slack.botUserId}> hello` });
    await until("guidance answers", () => slack.ephemerals.filter((e) => e.channel === channel).length >= 2);
    await until(
      "later event taken",
      async () => (await app.redis!.exists(`ab:slack:event:${later.eventId}`)) === 1,
    );
    expect(slack.ephemerals.filter((e) => e.channel === channel)).toHaveLength(2);
  });

  it("refuses bad and stale signatures with 401 and does nothing", async () => {
    const channel = id("C");
    const intruder = id("U");
    const body = JSON.stringify(
      slack.eventBody({
        type: "app_mention",
        user: intruder,
        text: `<@${slack.botUserId}> write about fraud`,
        ts: "1700000000.000100",
        channel,
      }),
    );
    const callsBefore = slack.calls.length;
    const bad = await slack.deliver(server.url, body, "application/json", {
      secret: "0123456789abcdef0123456789abcdef",
    });
    const stale = await slack.deliver(server.url, body, "application/json", {
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    const forged = await slack.deliver(server.url, body, "application/json", {
      signature: `v0=${"0".repeat(64)}`,
    });
    const unsigned = await fetch(`${server.url}/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect([bad.status, stale.status, forged.status, unsigned.status]).toEqual([401, 401, 401, 401]);
    expect(bad.text).not.toMatch(/at |Error|stack/);

    // A genuine request in the same channel afterwards is the only thing that happens there.
    const honest = await slack.mention(server.url, {
      channel,
      user: id("U"),
      text: `<@${slack.botUserId}> fintech partnerships, 300 words`,
    });
    await settled(`SLACK:${honest.eventId}`);
    expect(await app.db.prisma.requester.count({ where: { externalId: intruder } })).toBe(0);
    expect(
      slack
        .messages(channel)
        .filter((m) => m.bot)
        .map((m) => m.threadTs),
    ).toEqual([honest.ts]);
    expect(
      slack.calls.slice(callsBefore).every((c) => JSON.stringify(c.args).includes(intruder) === false),
    ).toBe(true);
  });

  it("turns every kind of Slack request away before any work when too much is waiting", async () => {
    const busyServer = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
    const busy = await slackPlatform(app, { intakeBacklog: 0 }).startIngress(busyServer, pipeline);
    try {
      const user = id("U");
      const sent = await slack.mention(busyServer.url, {
        channel: id("C"),
        user,
        text: `<@${slack.botUserId}> help`,
      });
      expect(sent.delivery.status).toBe(503);
      // A command is told, in both languages, and nothing is queued for it.
      const before = await app.db.prisma.generation.count();
      const { delivery } = await slack.command(busyServer.url, {
        user,
        channel: id("C"),
        text: "fintech partnerships, 300 words",
      });
      expect(delivery.status).toBe(200);
      expect(delivery.json).toEqual({
        response_type: "ephemeral",
        text: "Sorry — I couldn't take that request just now. Please try again in a minute.\nขออภัย — ตอนนี้รับคำขอไม่ได้ กรุณาลองใหม่ในอีกสักครู่",
      });
      // A click or a form submission gets a 503: Slack shows its own notice to try again.
      const click = await slack.deliver(
        busyServer.url,
        new URLSearchParams({
          payload: JSON.stringify({ type: "block_actions", user: { id: user }, actions: [] }),
        }).toString(),
        "application/x-www-form-urlencoded",
      );
      expect(click.status).toBe(503);
      expect(await app.db.prisma.generation.count()).toBe(before);
      expect(await app.redis!.exists(`ab:slack:event:${sent.eventId}`)).toBe(0);
    } finally {
      await busy.close();
      await busyServer.close();
    }
  });

  it("answers Slack's URL verification challenge", async () => {
    const res = await slack.deliver(
      server.url,
      JSON.stringify({
        token: "x",
        challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        type: "url_verification",
      }),
      "application/json",
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });
});

describe("Slack: delivery fallbacks and limits", () => {
  it("falls back to one reply per chunk when streaming is unavailable, each within block limits", async () => {
    slack.set({ streaming: "unknown_method" });
    // A draft with everything Slack renders differently from markdown.
    const paragraph =
      "Cloud bills grow **faster than revenue** when nobody owns them; see the [FinOps report](https://example.com/finops?a=1&b=2) & <https://example.com/unit-costs>. ".repeat(
        6,
      );
    openai.set({
      reply: `# Cloud costs & FinOps\n\n${paragraph}\n\n## Where the money goes\n\n- **Compute** left running\n- Storage nobody reads\n  - snapshots\n1. Tag everything\n2. Review monthly\n\n${paragraph}\n\n## What CFOs ask\n\n${paragraph.repeat(3)}\n\n### Next steps\n\n${paragraph}`,
    });
    try {
      const channel = id("C");
      const sent = await slack.mention(server.url, {
        channel,
        user: id("U"),
        text: `<@${slack.botUserId}> cloud costs and FinOps for CFOs, 1200 words`,
      });
      const g = await settled(`SLACK:${sent.eventId}`);
      const replies = slack.thread(channel, sent.ts).slice(1);
      const chunks = replies.slice(0, -1);
      expect(chunks).toHaveLength(g.chunksDelivered);
      expect(chunks.every((m) => m.via === "chat.postMessage")).toBe(true);
      for (const m of chunks) {
        expect(m.blocks!.length).toBeLessThanOrEqual(50);
        for (const text of sectionTexts(m)) expect(text.length).toBeLessThanOrEqual(3_000);
        expect(sectionTexts(m).join("\n")).not.toMatch(/^#{1,6} |\*\*|\]\(/m); // headings, bold and links converted
      }
      const all = chunks.flatMap(sectionTexts).join("\n");
      expect(
        chunks.some((m) =>
          m.blocks!.some((b: any) => b.type === "header" && b.text.text === "Where the money goes"),
        ),
      ).toBe(true);
      expect(all).toContain("*faster than revenue*");
      expect(all).toContain(
        "<https://example.com/finops?a=1&amp;b=2|FinOps report> &amp; <https://example.com/unit-costs>",
      );
      expect(all).toContain("• *Compute* left running");
      expect(all).toContain("    ◦ snapshots");
      expect(all).toContain("*Next steps*");
    } finally {
      slack.set({ streaming: "available" });
      openai.set({ reply: null });
    }
    expect(failedCalls().filter((c) => c.error !== "unknown_method")).toEqual([]);
  });

  it("carries on in a fresh stream when Slack ends one (message_not_in_streaming_state), replaying what it did not take", async () => {
    slack.set({ expireStreamsAfterAppends: 1 });
    try {
      const channel = id("C");
      const sent = await slack.mention(server.url, {
        channel,
        user: id("U"),
        text: `<@${slack.botUserId}> retail media networks, 1200 words`,
      });
      const g = await settled(`SLACK:${sent.eventId}`);
      const replies = slack.thread(channel, sent.ts).slice(1);
      const streamed = replies.filter((m) => m.via === "chat.startStream");
      expect(streamed.length).toBeGreaterThanOrEqual(2);
      expect(
        slack.callsTo("chat.appendStream").some((c) => c.response.error === "message_not_in_streaming_state"),
      ).toBe(true);
      // Every word of the draft is in the thread exactly once, in order. Punctuation is not a
      // word: a stream can end between a word and its comma, and the pieces are joined by spaces.
      const words = (s: string) =>
        s
          .replace(/[*#_>•\-.,;:!?]/g, " ")
          .split(/\s+/)
          .filter(Boolean);
      expect(words(streamed.map((m) => m.markdown).join(" "))).toEqual(words(g.draft!));
      // The last stream had ended too: the closing blocks came as a message of their own.
      expect(replies.at(-1)!.ts).toBe(stateOf(g).closedTs);
    } finally {
      slack.set({ expireStreamsAfterAppends: null });
    }
  });

  it("starts a new streamed reply before one would pass 12,000 characters of markdown", async () => {
    const section = (n: number) =>
      `## Part ${n}\n\n${"Retail leaders are rebuilding the store around data, and the pace is set by customers. ".repeat(30).trim()}`;
    openai.set({
      reply: `# A long read\n\nThe hook.\n\n${Array.from({ length: 10 }, (_, i) => section(i + 1)).join("\n\n")}`,
    });
    try {
      const channel = id("C");
      const sent = await slack.mention(server.url, {
        channel,
        user: id("U"),
        text: `<@${slack.botUserId}> the store of the future, 2000 words`,
      });
      const g = await settled(`SLACK:${sent.eventId}`);
      expect(g.draft!.length).toBeGreaterThan(13_000); // the model stops at the length the prompt allows
      const streamed = slack.thread(channel, sent.ts).filter((m) => m.via === "chat.startStream");
      expect(streamed.length).toBeGreaterThanOrEqual(2);
      for (const m of streamed) expect(m.markdown!.length).toBeLessThanOrEqual(12_000);
      // Cut at a paragraph, line or space: joined back, the text is the draft, nothing lost or doubled.
      const shown = streamed
        .map((m) => m.markdown)
        .join(" ")
        .replace(/\s+/g, " ");
      if (shown !== g.draft!.replace(/\s+/g, " ")) {
        const a = shown,
          b = g.draft!.replace(/\s+/g, " ");
        let i = 0;
        while (a[i] === b[i]) i++;
        console.log(
          JSON.stringify(a.slice(i - 80, i + 80)),
          "\n",
          JSON.stringify(b.slice(i - 80, i + 80)),
          streamed.map((m) => m.markdown!.length),
        );
      }
      expect(shown).toBe(g.draft!.replace(/\s+/g, " "));
      expect(failedCalls().filter((c) => c.channel === channel)).toEqual([]);
    } finally {
      openai.set({ reply: null });
    }
  });

  it("never posts into one channel faster than Slack's per-channel limit", () => {
    expect(slack.calls.filter((c) => c.status === 429).map((c) => `${c.method} ${c.args.channel}`)).toEqual(
      [],
    );
  });
});

describe("Slack: quotas and failures", () => {
  it("refuses over quota with usage, limit and reset time, visible only to the requester", async () => {
    const team = id("T");
    const tier = await app.db.prisma.tier.create({
      data: {
        name: `Tiny-${team}`,
        dailyArticleLimit: 1,
        burstPerMinute: 10,
        maxWords: 2000,
        monthlyBudgetUsd: "100.00",
        cacheScope: "TENANT",
      },
    });
    await app.db.prisma.tenant.create({
      data: { platform: "SLACK", externalId: team, name: "tiny", defaultTierId: tier.id },
    });
    const channel = id("C");
    const user = id("U");
    const first = await slack.mention(server.url, {
      channel,
      user,
      teamId: team,
      text: `<@${slack.botUserId}> quantum computing in banking, 300 words`,
    });
    await settled(`SLACK:${first.eventId}`);
    const second = await slack.mention(server.url, {
      channel,
      user,
      teamId: team,
      text: `<@${slack.botUserId}> quantum computing in insurance, 300 words`,
    });
    const refusal = await until("refusal", () =>
      slack.ephemerals.find((e) => e.channel === channel && e.user === user),
    );
    expect(refusal.text).toContain(`You've used 1 of your 1 articles for today (Tiny-${team} plan)`);
    expect(refusal.text).toMatch(/resets <!date\^\d+\^\{date_short_pretty\} at \{time\}\|/);
    expect(await generation(second.eventId)).toBeNull();
    expect(slack.messages(channel).filter((m) => m.via === "chat.startStream")).toHaveLength(1);
  });

  it("apologises with a retry button when the LLM fails, gives the quota back, and the retry writes the draft", async () => {
    openai.set({ failure: { kind: "status", status: 500, only: "chat" } });
    const channel = id("C");
    const user = id("U");
    const sent = await slack.mention(server.url, {
      channel,
      user,
      text: `<@${slack.botUserId}> satellite internet for logistics, 300 words`,
    });
    const failed = await settled(`SLACK:${sent.eventId}`).finally(() => openai.set({ failure: null }));
    expect(failed.status).toBe("FAILED");
    // A final state: the thinking status is cleared, no Stop card or "Writing" stays behind.
    expect(slack.statuses.filter((st) => st.threadTs === sent.ts).at(-1)!.status).toBe("");
    expect(JSON.stringify(slack.thread(channel, sent.ts))).not.toContain("Writing");
    const apology = slack
      .thread(channel, sent.ts)
      .find((m) => m.blocks?.some((b: any) => b.block_id === "failure_actions"))!;
    expect(apology.text).toMatch(
      /^:warning: Sorry — I couldn't finish this draft\. The writing service is busy right now\. It doesn't count against your quota\.$/,
    );
    expect(apology.text).not.toMatch(/500|error|stack|openai/i);
    const tier = await app.db.prisma.tier.findUniqueOrThrow({ where: { name: "Pro" } });
    const usage = await pipeline.quotas.usage(failed.requesterId, tier);
    expect(usage.today).toMatchObject({ used: 0, inFlight: 0, delivered: 0 });

    await slack.clickButton(server.url, apology, "retry", user);
    const retried = await until("retried draft", async () => {
      const row = await app.db.prisma.generation.findFirst({
        where: { requesterId: failed.requesterId, status: "DELIVERED" },
      });
      return row && stateOf(row).closedTs ? row : null;
    });
    expect(retried.request).toEqual(failed.request);
    expect(stateOf(retried).rootTs).toBe(sent.ts); // the same thread
    const card = slack
      .callsTo("chat.postMessage")
      .find((c) => c.args.thread_ts === sent.ts && JSON.stringify(c.args.blocks ?? "").includes("stop"))!;
    expect(JSON.stringify(card.args.blocks)).toContain("A second try.");
  });
});
