import { randomBytes } from "node:crypto";
import { WebClient, WebClientEvent } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RateBudget, TIER_PER_MINUTE } from "../../bot/slack/budget.ts";
import { SlackClients, SlackRateLimited, slackClientOptions } from "../../bot/slack/client.ts";
import { readSlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import type { AppContext } from "../../core/app.ts";
import { createLogger } from "../../core/logger.ts";
import type { HttpServer } from "../../ops/server.ts";
import { type FakeSlack, type SlackCall, startFakeSlack } from "../fakes/slack.ts";
import { type SlackBot, startSlackBot } from "../helpers/slack-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * Slack's 429s stay where they happen. The fake answers 429 with Retry-After on one method in
 * one conversation (as Slack counts per method and workspace); the assertions read the order
 * in which the fake received the calls, never how long anything took.
 */

let slack: FakeSlack;
const logger = createLogger("silent");
const config = () => ({ botToken: slack.botToken, apiUrl: slack.url });
const TEAM = "T0FAKETEAM";

beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(async () => {
  await slack.close();
});
beforeEach(() => {
  slack.calls.length = 0;
  slack.set({ rateLimits: [] });
});

/** The fake's receive log, as "method channel status" lines. */
const log = (calls: SlackCall[]) =>
  calls.map((c) => `${c.method} ${c.args.channel} ${c.status}`).filter((l) => !l.startsWith("auth."));

async function parentIn(channel: string): Promise<string> {
  const client = new WebClient(slack.botToken, { slackApiUrl: slack.url });
  const res = await client.chat.postMessage({ channel, text: "Writing: AI in retail" });
  slack.calls.length = 0;
  return res.ts!;
}

describe("a 429 on a status update", () => {
  it("froze every draft with one SDK client per worker (the 4.4 s freeze, reproduced)", async () => {
    const ts = await parentIn("C0STATUS");
    slack.set({ rateLimits: [{ method: "chat.update", channel: "C0STATUS", times: 1, retryAfterSec: 1 }] });
    // What the worker had: one client, Slack's own 429 handling (pause the queue, then retry).
    const one = new WebClient(slack.botToken, {
      slackApiUrl: slack.url,
      retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 50 },
    });
    // The client pauses its queue as it reports the 429 (not when the fake answered it): only then
    // is the other channel's chunk queued behind the Retry-After.
    const paused = new Promise((resolve) => one.once(WebClientEvent.RATE_LIMITED, resolve));
    const status = one.chat.update({ channel: "C0STATUS", ts, text: "Writing… 2 sections" });
    await paused;
    await one.chat.postMessage({ channel: "C0OTHER", text: "the other draft's next chunk" });
    await status;
    // The other channel's chunk reached Slack only once the status update's Retry-After was over.
    expect(log(slack.calls)).toEqual([
      "chat.update C0STATUS 429",
      "chat.postMessage C0OTHER 200",
      "chat.update C0STATUS 200",
    ]);
    const [limited, other] = slack.calls;
    expect(other!.at).toBeGreaterThanOrEqual(limited!.at + 990);
  });

  it("is dropped, and another channel's draft goes straight on", async () => {
    const ts = await parentIn("C0STATUS");
    slack.set({ rateLimits: [{ method: "chat.update", channel: "C0STATUS", times: 5, retryAfterSec: 30 }] });
    const clients = new SlackClients(config(), logger);
    const cosmetic = clients.for(TEAM, "cosmetic");
    const delivery = clients.for(TEAM, "delivery");

    const dropped = await cosmetic.chat
      .update({ channel: "C0STATUS", ts, text: "2 sections" })
      .catch((e) => e);
    expect(dropped).toBeInstanceOf(SlackRateLimited);
    expect(dropped).toMatchObject({ method: "chat.update", retryAfterMs: 30_000, by: "slack" });
    await delivery.chat.postMessage({ channel: "C0OTHER", text: "chunk 1" });
    await delivery.chat.postMessage({ channel: "C0OTHER", text: "chunk 2" });
    // The next status line in the throttled thread is not even sent while Slack's hold lasts.
    await expect(cosmetic.chat.update({ channel: "C0STATUS", ts, text: "3 sections" })).rejects.toMatchObject(
      {
        by: "slack",
      },
    );
    expect(log(slack.calls)).toEqual([
      "chat.update C0STATUS 429",
      "chat.postMessage C0OTHER 200",
      "chat.postMessage C0OTHER 200",
    ]);
    // Before Slack's Retry-After is over, by the fake's own clock.
    const limited = slack.calls[0]!;
    expect(slack.calls.at(-1)!.at).toBeLessThan(limited.at + 30_000);
  });

  it("holds back only its own workspace: another workspace's update is sent", async () => {
    const ts = await parentIn("C0STATUS");
    slack.set({ rateLimits: [{ method: "chat.update", channel: "C0STATUS", times: 1, retryAfterSec: 30 }] });
    const clients = new SlackClients(config(), logger);
    await expect(
      clients.for(TEAM, "cosmetic").chat.update({ channel: "C0STATUS", ts, text: "x" }),
    ).rejects.toBeInstanceOf(SlackRateLimited);
    // (The fake is one workspace; a second team id stands for another workspace of the app.)
    await clients.for("T0SECOND", "cosmetic").chat.update({ channel: "C0STATUS", ts, text: "y" });
    expect(log(slack.calls)).toEqual(["chat.update C0STATUS 429", "chat.update C0STATUS 200"]);
  });
});

describe("a 429 on a draft's own call", () => {
  it("waits in its own conversation only, then posts", async () => {
    slack.set({
      rateLimits: [{ method: "chat.postMessage", channel: "C0BUSY", times: 1, retryAfterSec: 1 }],
    });
    const delivery = new SlackClients(config(), logger).for(TEAM, "delivery");
    const busy = delivery.chat.postMessage({ channel: "C0BUSY", text: "chunk 1" });
    await until429();
    await delivery.chat.postMessage({ channel: "C0CALM", text: "chunk 1" });
    await busy;
    expect(log(slack.calls)).toEqual([
      "chat.postMessage C0BUSY 429",
      "chat.postMessage C0CALM 200",
      "chat.postMessage C0BUSY 200",
    ]);
  });

  it("fails chat.startStream at once with SlackRateLimited, so the draft can be posted instead", async () => {
    const parent = await parentIn("C0STREAM");
    slack.set({ rateLimits: [{ method: "chat.startStream", times: 1, retryAfterSec: 20 }] });
    const delivery = new SlackClients(config(), logger).for(TEAM, "delivery");
    const error = await delivery.chat
      .startStream({
        channel: "C0STREAM",
        thread_ts: parent,
        markdown_text: "chunk 1",
        recipient_user_id: "U0ASKER",
        recipient_team_id: TEAM,
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(SlackRateLimited);
    expect(error).toMatchObject({ method: "chat.startStream", retryAfterMs: 20_000, by: "slack" });
    expect(log(slack.calls)).toEqual(["chat.startStream C0STREAM 429"]);
  });
});

describe("the budget per workspace and tier", () => {
  it("drops a status line past its tier's budget without calling Slack; the draft waits its turn", async () => {
    const ts = await parentIn("C0BUDGET");
    const clients = new SlackClients(config(), logger, new RateBudget({ ...TIER_PER_MINUTE, 3: 1 }));
    const cosmetic = clients.for(TEAM, "cosmetic");
    await cosmetic.chat.update({ channel: "C0BUDGET", ts, text: "1 section" });
    await expect(cosmetic.chat.update({ channel: "C0BUDGET", ts, text: "2 sections" })).rejects.toMatchObject(
      {
        by: "budget",
        method: "chat.update",
      },
    );
    // Tier 4 and the special posting tier are budgets of their own.
    await clients.for(TEAM, "delivery").chat.postMessage({ channel: "C0BUDGET", text: "chunk" });
    expect(log(slack.calls)).toEqual(["chat.update C0BUDGET 200", "chat.postMessage C0BUDGET 200"]);
  });

  it("counts per workspace and method, refilling with time", () => {
    let now = 0;
    const budget = new RateBudget({ 1: 1, 2: 2, 3: 50, 4: 100 }, () => now);
    const stream = { teamId: "T1", method: "chat.startStream", channel: "C1" };
    expect(budget.reserve(stream)).toBe(0);
    expect(budget.reserve({ ...stream, channel: "C2" })).toBe(0);
    expect(budget.reserve(stream)).toBe(30_000); // Tier 2 at 2 per minute: the next one in 30 s
    expect(budget.reserve({ ...stream, teamId: "T2" })).toBe(0);
    expect(budget.reserve({ ...stream, method: "chat.appendStream" })).toBe(0);
    expect(budget.reserve({ ...stream, method: "chat.postMessage" })).toBe(0); // special: paced per channel
    now = 30_000;
    expect(budget.reserve(stream)).toBe(0);
    budget.hold(stream, 5_000);
    expect(budget.reserve(stream)).toBe(5_000);
    expect(budget.reserve({ ...stream, channel: "C2" })).toBe(30_000); // no hold there, only the spent budget
  });
});

describe("the interactive client (Bolt's, the front desk's)", () => {
  it("rejects a 429 at once instead of pausing its queue", async () => {
    slack.set({ rateLimits: [{ method: "chat.postEphemeral", times: 1, retryAfterSec: 30 }] });
    const client = new WebClient(slack.botToken, slackClientOptions(config(), logger, "interactive"));
    await expect(
      client.chat.postEphemeral({ channel: "C0ASK", user: "U0ASKER", text: "hi" }),
    ).rejects.toMatchObject({ code: "slack_webapi_rate_limited_error" });
    await client.chat.postEphemeral({ channel: "C0ASK", user: "U0ASKER", text: "hi again" });
    expect(log(slack.calls)).toEqual(["chat.postEphemeral C0ASK 429", "chat.postEphemeral C0ASK 200"]);
  });
});

const until429 = () => until("a 429 answered", () => slack.calls.some((c) => c.status === 429));

describe("two drafts in two channels, one throttled", () => {
  let bot: SlackBot;
  let app: AppContext;
  let server: HttpServer;

  beforeAll(async () => {
    // A status edit after every chunk, as a busy workspace sees them.
    bot = await startSlackBot("ab_slack_rates", {
      slack,
      platform: { pacingMs: 30, statusIntervalMs: 0 },
      workerConcurrency: 2,
    });
    ({ app, server } = bot);
  });
  afterAll(async () => {
    await bot?.close();
  });

  const hex = () => randomBytes(4).toString("hex").toUpperCase();
  const delivered = (requestKey: string, timeoutMs = 30_000) =>
    until(
      `${requestKey} delivered`,
      async () => {
        const g = await app.db.prisma.generation.findUnique({ where: { requestKey } });
        return g?.status === "DELIVERED" && readSlackDeliveryState(g.deliveryState ?? {}).closedTs ? g : null;
      },
      { timeoutMs },
    );

  it("writes the other channel's draft to the end while the throttled one waits out Retry-After", async () => {
    const [busy, calm] = [`C${hex()}`, `C${hex()}`];
    slack.set({ rateLimits: [{ method: "chat.appendStream", channel: busy, times: 1, retryAfterSec: 10 }] });
    const first = await slack.mention(server.url, {
      channel: busy,
      user: `U${hex()}`,
      text: `<@${slack.botUserId}> cold chain logistics for grocers, 600 words`,
    });
    const limited = await until("the busy channel's stream throttled", () =>
      slack.calls.find((c) => c.status === 429 && c.args.channel === busy),
    );
    const second = await slack.mention(server.url, {
      channel: calm,
      user: `U${hex()}`,
      text: `<@${slack.botUserId}> digital twins in manufacturing, 600 words`,
    });
    const calmDraft = await delivered(`SLACK:${second.eventId}`);
    const busyDraft = await delivered(`SLACK:${first.eventId}`, 60_000);

    const appendsInBusy = slack.calls.filter(
      (c) => c.method === "chat.appendStream" && c.args.channel === busy,
    );
    const retried = appendsInBusy.find((c) => c.seq > limited.seq && c.status === 200)!;
    const closedCalm = slack.calls.find(
      (c) =>
        c.args.channel === calm &&
        c.response.ts === readSlackDeliveryState(calmDraft.deliveryState ?? {}).closedTs,
    )!;
    // The calm channel's whole draft, closing included, landed after the busy channel was throttled
    // and before the busy channel's stream was appended to again: while it waited out Retry-After.
    expect(closedCalm.seq).toBeGreaterThan(limited.seq);
    expect(closedCalm.seq).toBeLessThan(retried.seq);
    // And the throttled draft lost nothing: its whole text is in its thread.
    const busyText = slack
      .messages(busy)
      .filter((m) => m.threadTs === first.ts && m.bot)
      .map((m) => m.text ?? "")
      .join("");
    for (const word of (busyDraft.draft ?? "")
      .split(/\s+/)
      .filter((w) => w.length > 12)
      .slice(0, 5))
      expect(busyText).toContain(word.replace(/[*#_]/g, ""));
  }, 90_000);
});
