import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChannelPacer } from "../../bot/slack/pacer.ts";
import { STREAM_LIMITS, type StreamLimits, StreamWriter } from "../../bot/slack/stream.ts";
import { createLogger } from "../../core/logger.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { until } from "../helpers/wait.ts";

/**
 * The streaming writer against the fake Slack (which enforces 12,000 characters per streamed
 * message and per call, and ends streams when told): cadence, rollover, replay, fallback.
 */

let slack: FakeSlack;
let client: WebClient;
let n = 0;

beforeAll(async () => {
  slack = await startFakeSlack();
  // Rate-limited calls reject at once here, so a 429 on startStream reaches the writer.
  client = new WebClient(slack.botToken, {
    slackApiUrl: slack.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
});

afterAll(async () => {
  await slack?.close();
});

function writerIn(limits: Partial<StreamLimits> = {}) {
  const channel = `CSTREAM${++n}`;
  const asked = slack.personSays({ channel, user: "UASKER", text: "write please" });
  const opened: string[] = [];
  const writer = new StreamWriter({
    client,
    pacer: new ChannelPacer(0),
    logger: createLogger("silent"),
    limits: { ...STREAM_LIMITS, ...limits },
    channel,
    threadTs: asked.ts,
    recipient: { user: "UASKER", team: slack.teamId },
    open: null,
    onOpen: (o) => opened.push(o.ts),
  });
  const streams = () => slack.thread(channel, asked.ts).filter((m) => m.via === "chat.startStream");
  const calls = (method: string) => slack.callsTo(method).filter((c) => c.args.channel === channel);
  return { writer, streams, calls, opened };
}

describe("StreamWriter", () => {
  it("starts the stream with the very first text, then sends about every minChars", async () => {
    const { writer, streams, calls } = writerIn({ minChars: 100, maxWaitMs: 60_000 });
    writer.write("# Title");
    await until("stream started", () => writer.open);
    expect(streams()[0]!.markdown).toBe("# Title");
    for (let i = 0; i < 30; i++) writer.write("0123456789");
    await until("appends", () => (calls("chat.appendStream").length >= 2 ? true : null));
    // Each append carries at least minChars (the last one may be shorter, sent by drain).
    await writer.drain();
    const sizes = calls("chat.appendStream").map((c) => String(c.args.markdown_text).length);
    expect(sizes.slice(0, -1).every((s) => s >= 100)).toBe(true);
    expect(streams()[0]!.markdown).toBe(`# Title${"0123456789".repeat(30)}`);
    expect(await writer.close()).toBe(streams()[0]!.ts);
  });

  it("sends what is waiting after maxWaitMs even when it is short", async () => {
    const { writer, streams, calls } = writerIn({ minChars: 10_000, maxWaitMs: 50 });
    writer.write("first");
    await until("stream started", () => writer.open);
    writer.write(" and a little more");
    await until("timed append", () => (calls("chat.appendStream").length === 1 ? true : null));
    expect(streams()[0]!.markdown).toBe("first and a little more");
    writer.dispose();
  });

  it("rolls over to a fresh message before the stream lifetime and at 12,000 characters, losing and repeating nothing", async () => {
    const { writer, streams, opened } = writerIn({ minChars: 1, maxWaitMs: 1, lifetimeMs: 60 });
    writer.write("Before the lifetime ends.");
    await writer.drain();
    await new Promise((resolve) => setTimeout(resolve, 80));
    writer.write(" After it.");
    await writer.drain();
    const paragraph = `${"Retail is being rebuilt around data. ".repeat(40)}\n\n`;
    for (let i = 0; i < 10; i++) writer.write(paragraph);
    await writer.close();
    expect(opened.length).toBeGreaterThanOrEqual(3);
    for (const s of streams()) expect(s.markdown!.length).toBeLessThanOrEqual(12_000);
    expect(streams().every((s) => s.streaming === false)).toBe(true);
    expect(streams()[0]!.markdown).toBe("Before the lifetime ends.");
    // A fresh message drops the blank lines it would start with; every word is there once, in order.
    const words = (text: string) => text.split(/\s+/).filter(Boolean);
    expect(streams().some((st) => st.markdown!.startsWith("\n"))).toBe(false);
    expect(
      words(
        streams()
          .map((st) => st.markdown)
          .join("\n"),
      ),
    ).toEqual(words(`Before the lifetime ends. After it.${paragraph.repeat(10)}`));
  });

  it("replays into a fresh stream the text Slack refused after ending a stream", async () => {
    const { writer, streams } = writerIn({ minChars: 1, maxWaitMs: 1 });
    writer.write("one");
    await writer.drain();
    slack.expireStreams();
    writer.write(" two");
    await writer.drain();
    await writer.close();
    expect(streams().map((s) => s.markdown)).toEqual(["one", " two"]);
  });

  it("gives the draft up to posting when chat.startStream is throttled (429)", async () => {
    const { writer, streams, calls } = writerIn();
    slack.set({ rateLimit: { method: "chat.startStream", times: 1, retryAfterSec: 30 } });
    try {
      writer.write("hello");
      await writer.drain();
      expect(writer.unavailable).toBe("ratelimited");
      expect(calls("chat.startStream").map((c) => c.status)).toEqual([429]);
      expect(streams()).toEqual([]);
      writer.write("more"); // ignored: the sink posts the chunks instead
      await writer.drain();
      expect(calls("chat.startStream")).toHaveLength(1);
      expect(await writer.close()).toBeNull();
    } finally {
      slack.set({ rateLimit: null });
    }
  });

  it("puts blocks under the text when it stops, and the fake refuses feedback buttons Slack would refuse", async () => {
    const { writer, streams, calls } = writerIn();
    writer.write("A draft.");
    await writer.drain();
    const feedback = (negative: unknown) => ({
      type: "context_actions" as const,
      elements: [
        {
          type: "feedback_buttons" as const,
          action_id: "draft_feedback",
          positive_button: { text: { type: "plain_text" as const, text: "👍" }, value: "up:g1" },
          negative_button: negative as { text: { type: "plain_text"; text: string }; value: string },
        },
      ],
    });
    const ts = streams()[0]!.ts;
    await expect(
      client.chat.stopStream({ channel: streams()[0]!.channel, ts, blocks: [feedback(undefined)] }),
    ).rejects.toMatchObject({ data: { error: "invalid_blocks" } });
    const good = feedback({ text: { type: "plain_text", text: "👎" }, value: "down:g1" });
    expect(await writer.close([good])).toBe(ts);
    expect(streams()[0]!.blocks).toEqual([good]);
    expect(calls("chat.stopStream").map((c) => c.response.ok)).toEqual([false, true]);
  });
});
