import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import type { AppContext } from "../../core/app.ts";
import type { HttpServer } from "../../ops/server.ts";
import type { FakeSlack } from "../fakes/slack.ts";
import { type SlackBot, startSlackBot } from "../helpers/slack-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * Where the app cannot post: `/article` typed in a DM between two people (the app is no member:
 * Slack answers channel_not_found) or in a channel it was never invited to (not_in_channel).
 * Notes, refusals and the draft still reach the person — in their DM with the app.
 */

let bot: SlackBot;
let slack: FakeSlack;
let app: AppContext;
let server: HttpServer;

const id = (prefix: string) => `${prefix}${randomBytes(4).toString("hex").toUpperCase()}`;
/** The person's DM with the app, as Slack names it when the app posts to their user id. */
const appDm = (user: string) => `D${user.slice(1)}`;

beforeAll(async () => {
  bot = await startSlackBot("ab_slack_unreachable", {
    platform: { pacingMs: 30, statusIntervalMs: 0 },
    workerConcurrency: 2,
  });
  ({ slack, app, server } = bot);
});

afterAll(async () => {
  await bot?.close();
});

/** `/article` in `channel`, the form submitted with `fields`: the view id. */
async function askWithForm(
  channel: string,
  user: string,
  fields: Record<string, string>,
  teamId?: string,
): Promise<string> {
  const { triggerId } = await slack.command(server.url, { user, channel, teamId });
  const opened = await until("modal opened", () => slack.views.find((v) => v.triggerId === triggerId));
  const submitted = await slack.submitView(server.url, opened.id, user, fields, { teamId });
  expect([submitted.status, submitted.text]).toEqual([200, ""]); // the form closes
  return opened.id;
}

const calls = () =>
  slack.calls.map((c) => `${c.method} ${c.args.channel ?? ""} ${c.response.error ?? c.status}`).join("\n");
const delivered = (requestKey: string) =>
  until(`${requestKey} delivered`, async () => {
    const g = await app.db.prisma.generation.findUnique({ where: { requestKey } });
    return g?.status === "DELIVERED" && readSlackDeliveryState(g.deliveryState ?? {}).closedTs ? g : null;
  });

describe("Slack: where the app cannot post", () => {
  it("/article in a DM between two people: the note and the draft arrive in the person's DM with the app", async () => {
    const dm = id("D");
    const user = id("U");
    slack.set({ invisible: [dm] });
    // A topic past 200 characters is shortened: the answer carries a note the person must see.
    const topic =
      "Smart factories in Thailand and what predictive maintenance changes for plant managers ".repeat(3);
    const view = await askWithForm(dm, user, { topic, length: "300" });

    const note = await until(
      "the note in the person's DM with the app",
      () => slack.messages(appDm(user)).find((m) => m.text.includes("shortened")),
      { context: calls },
    );
    expect(note.threadTs).toBeUndefined();
    const g = await delivered(`SLACK:view:${view}`);
    expect(readSlackDeliveryState(g.deliveryState ?? {}).channel).toBe(appDm(user));
    expect(slack.messages(appDm(user)).filter((m) => !m.threadTs).length).toBeGreaterThanOrEqual(2);
    // Tried where they asked first, and Slack said no every time; nothing was shown there.
    const there = slack.calls.filter((c) => c.args.channel === dm);
    expect(there.length).toBeGreaterThan(0);
    expect(there.every((c) => c.response.error === "channel_not_found")).toBe(true);
    expect(slack.messages(dm)).toHaveLength(0);
  });

  it("a refusal from a channel the app is not in is told in the person's DM with the app", async () => {
    const channel = id("G");
    const user = id("U");
    slack.set({ notInChannel: [channel] });
    // A workspace whose plan allows no articles today: the answer is a refusal.
    const team = id("T");
    const tier = await app.db.prisma.tier.create({
      data: { name: `None-${team}`, dailyArticleLimit: 0, burstPerMinute: 10, maxWords: 2000 },
    });
    await app.db.prisma.tenant.create({
      data: { platform: "SLACK", externalId: team, name: "none", defaultTierId: tier.id },
    });
    await askWithForm(channel, user, { topic: "Cold chain logistics for grocers", length: "300" }, team);
    const refusal = await until(
      "the refusal in the person's DM with the app",
      () => slack.messages(appDm(user)).find((m) => /limit|today/i.test(m.text)),
      {
        context: () =>
          `${calls()}\n${slack
            .messages(appDm(user))
            .map((m) => m.text)
            .join("\n")}`,
      },
    );
    expect(refusal.text).not.toMatch(/not_in_channel|Error|stack/);
    expect(slack.ephemerals.filter((e) => e.channel === channel)).toHaveLength(0);
    expect(slack.callsTo("chat.postEphemeral").some((c) => c.args.channel === channel)).toBe(true);
  });
});
