import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { seed } from "../../prisma/seed.ts";
import {
  type FakeLine,
  flexButtons,
  isContinueCard,
  isResultCard,
  lineId,
  startFakeLine,
} from "../fakes/line.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { freePort, type Started, startProduct } from "../helpers/process.ts";
import { until } from "../helpers/wait.ts";

/**
 * `npm start` on embedded defaults (PGlite, no Redis), killed with SIGKILL — as an OOM kill or
 * a power cut would — and started again on the same DATA_DIR: what was acknowledged, queued or
 * half-written is finished after the restart, each chunk once, the quota exact.
 */
let dataDir: string;
let openai: FakeOpenAI;
let slack: FakeSlack;
let line: FakeLine;
let port: number;
let product: Started | null = null;

const id = (p: string) => `${p}${Math.random().toString(36).slice(2, 10).toUpperCase()}`;

async function start(): Promise<Started> {
  await product?.stop("SIGKILL"); // left by a test that failed half-way
  // A fresh port each start: a port free at the file's start may since be another process's
  // ephemeral port (an outgoing connection), and binding it would fail with EADDRINUSE.
  port = await freePort();
  product = startProduct({
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_PORT: String(await freePort()),
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.url,
    LINE_CHANNEL_SECRET: line.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: line.accessToken,
    LINE_API_BASE_URL: line.url,
  });
  await product.waitFor("Article Bot is running", 120_000);
  return product;
}

async function crash(): Promise<void> {
  expect(await product!.stop("SIGKILL")).toBe(null); // killed: no exit code, nothing flushed
  product = null;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "ab-crash-"));
  // Slow enough to kill the process with a draft half-posted.
  openai = await startFakeOpenAI({ firstTokenLatencyMs: 200, tokensPerSecond: 60 });
  slack = await startFakeSlack();
  line = await startFakeLine();
  // A tight daily limit, so an off-by-one in the in-flight count after the restart shows.
  const config = loadConfig({ DATA_DIR: dataDir });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  // Slack workspaces start on Pro.
  await db.prisma.tier.update({
    where: { name: "Pro" },
    data: { dailyArticleLimit: 2, burstPerMinute: 50 },
  });
  await db.close();
});
afterAll(async () => {
  await product?.stop("SIGKILL");
  await Promise.all([openai?.close(), slack?.close(), line?.close()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const botReplies = (channel: string) => slack.messages(channel).filter((m) => m.bot && m.threadTs);
const closed = (channel: string) =>
  botReplies(channel).some((m) => JSON.stringify(m.blocks ?? []).includes("download_markdown"));
const flat = (text: string) => text.replace(/\s+/g, " ").trim();
const streamedText = (channel: string) =>
  botReplies(channel)
    .filter((m) => m.via === "chat.startStream")
    .sort((a, b) => Number(a.ts) - Number(b.ts))
    .map((m) => m.markdown ?? "")
    .join("\n\n");

describe("embedded profile, killed with SIGKILL", () => {
  it("finishes a half-posted Slack draft after the restart: same thread, each chunk once, quota exact", async () => {
    await start();
    const channel = id("C");
    const user = id("U");
    slack.addUser({ id: user, displayName: "Ploy" });
    const sent = await slack.mention(`http://127.0.0.1:${port}`, {
      channel,
      user,
      text: `<@${slack.botUserId}> write about AI in logistics for operations leaders, 600 words`,
    });
    expect(sent.delivery.status).toBe(200);
    // Kill while the third chunk is on its way: the first two are posted and recorded. (A kill
    // between a post and its record is the at-least-once window every sink must absorb.)
    const appends = () => slack.callsTo("chat.appendStream");
    await until("two chunks streamed", () => appends().some((c) => c.status === 200), {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    });
    const release = slack.hold("chat.appendStream");
    const held = appends().length + 1;
    await until("the third chunk on its way", () => appends().length >= held, {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    });
    expect(closed(channel)).toBe(false);
    const beforeCrash = streamedText(channel);
    await crash();
    // The held request died with its process: it must not reach the thread once released.
    slack.set({ fail: { method: "chat.appendStream", error: "internal_error", times: 1 } });
    release();
    await until("the dead request answered", () => appends().every((c) => c.status !== 0), {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    });

    const chatCallsBefore = openai.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
    await start();
    await until("the draft finished", () => closed(channel), {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    });
    // The same thread, under the person's own message: no bot message at the top of the channel,
    // every reply in that one thread, one closing message.
    expect(slack.messages(channel).filter((m) => m.bot && !m.threadTs)).toHaveLength(0);
    expect(new Set(botReplies(channel).map((m) => m.threadTs))).toEqual(new Set([sent.ts]));
    expect(
      botReplies(channel).filter((m) => JSON.stringify(m.blocks ?? []).includes("download_markdown")),
    ).toHaveLength(1);
    // The model was asked to continue once, not to start over twice.
    expect(openai.requests.filter((r) => r.path.endsWith("/chat/completions")).length).toBe(
      chatCallsBefore + 1,
    );
    // What the earlier process had posted is where the thread continues from.
    expect(flat(streamedText(channel)).startsWith(flat(beforeCrash))).toBe(true);
    // Quota: the finished draft counts once, nothing stays reserved. Limit 2: one more fits, a third does not.
    const other = id("C");
    await slack.mention(`http://127.0.0.1:${port}`, {
      channel: other,
      user,
      text: `<@${slack.botUserId}> write about AI in retail for store managers, 300 words`,
    });
    await slack.mention(`http://127.0.0.1:${port}`, {
      channel: other,
      user,
      text: `<@${slack.botUserId}> write about AI in banking for branch managers, 300 words`,
    });
    const seen = () => JSON.stringify([...slack.messages(other), ...slack.ephemerals]);
    await until("the third request refused", () => seen().includes("of your 2 articles for today"), {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    }).catch((error: Error) => {
      throw new Error(`${error.message.split("\n")[0]}; ${other} shows ${seen()}`);
    });
    expect(seen()).toContain("used 2 of your 2 articles for today");
    expect(await product!.stop("SIGTERM")).toBe(0); // finishes the second article first
    product = null;

    // Each chunk once: the thread shows exactly the draft the pipeline recorded, chunk by chunk.
    const db = await openDatabase(loadConfig({ DATA_DIR: dataDir }));
    try {
      const g = await db.prisma.generation.findUniqueOrThrow({
        where: { requestKey: `SLACK:${sent.eventId}` },
      });
      expect(g.status).toBe("DELIVERED");
      expect(flat(streamedText(channel))).toBe(flat(g.draft!));
      const later = await db.prisma.generation.count({
        where: { requesterId: g.requesterId, status: "DELIVERED" },
      });
      expect(later).toBe(2);
      expect(await db.prisma.queuedJob.count({ where: { state: { in: ["waiting", "active"] } } })).toBe(0);
    } finally {
      await db.close();
    }
  }, 300_000);

  it("delivers every job that was queued or in flight when it was killed", async () => {
    openai.set({ firstTokenLatencyMs: 3_000 });
    await start();
    const channels = [id("C"), id("C"), id("C")];
    const before = openai.requests.length;
    for (const [i, channel] of channels.entries()) {
      const user = id("U");
      slack.addUser({ id: user, displayName: `P${i}` });
      await slack.mention(`http://127.0.0.1:${port}`, {
        channel,
        user,
        text: `<@${slack.botUserId}> write about supply chain topic ${i} for buyers, 300 words`,
      });
    }
    // Each is accepted and waiting on the model.
    const chats = () => openai.requests.slice(before).filter((r) => r.path.endsWith("/chat/completions"));
    await until("all three jobs taken", () => chats().length >= 3, {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    });
    await crash();
    openai.set({ firstTokenLatencyMs: 100 });

    await start();
    await until("all three delivered", () => channels.every(closed), {
      timeoutMs: 120_000,
      context: () => product?.output() ?? "",
    });
    for (const channel of channels) {
      const closings = botReplies(channel).filter((m) =>
        JSON.stringify(m.blocks ?? []).includes("download_markdown"),
      );
      expect(closings).toHaveLength(1);
      expect(slack.messages(channel).filter((m) => m.bot && !m.threadTs)).toHaveLength(0); // all in the person's thread
    }
    await crash();
  }, 300_000);

  it("answers a LINE message acknowledged with 200 but not handled before the kill, once", async () => {
    await start();
    const user = lineId();
    line.setProfile(user, { displayName: "Kai", language: "en" });
    // Handling starts by asking for the person's profile: hold it, so the kill lands mid-handling.
    line.set({ failure: { kind: "hang", only: "profile", times: 1 } });
    const event = line.events.text({ userId: user, text: "write about cold-chain logistics for COOs" });
    expect((await line.deliver(`http://127.0.0.1:${port}/line/webhook`, [event])).status).toBe(200);
    await until("handling started", () => line.calls.some((c) => c.endpoint === "profile"), {
      timeoutMs: 90_000,
      context: () => product?.output() ?? "",
    });
    expect(line.messagesTo(user)).toEqual([]);
    await crash();
    line.set({ failure: null });

    await start();
    // A restart slower than the reply's deadline sends what is ready with "Continue reading": tap it.
    let tapped = false;
    await until(
      "the draft arrived",
      async () => {
        const more = line.messagesTo(user).find(isContinueCard);
        if (more && !tapped) {
          tapped = true;
          await line.deliver(`http://127.0.0.1:${port}/line/webhook`, [
            line.events.postback({ userId: user, data: flexButtons(more.message)[0]!.data }),
          ]);
        }
        return line.messagesTo(user).some(isResultCard);
      },
      { timeoutMs: 90_000, context: () => product?.output() ?? "" },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(line.messagesTo(user).filter(isResultCard)).toHaveLength(1);
    expect(await product!.stop("SIGTERM")).toBe(0);
    product = null;
  }, 300_000);
});
