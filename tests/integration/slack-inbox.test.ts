import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackDeliveryState } from "../../bot/slack/delivery-state.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { queuePrefix } from "../../core/jobs/index.ts";
import { createLogger } from "../../core/logger.ts";
import { connectRedis } from "../../core/redis.ts";
import { seed } from "../../prisma/seed.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { ROOT } from "../helpers/process.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "../helpers/services.ts";
import { until } from "../helpers/wait.ts";

/**
 * A Slack bot process killed after it acknowledged a mention and before it accepted it: Slack
 * will not send the event again, so the inbox must have kept it, and another bot process takes
 * it over — the draft arrives, once.
 */

let database: TestDatabase;
let openai: FakeOpenAI;
let slack: FakeSlack;
let app: AppContext;
const bots: ChildProcess[] = [];
const id = (prefix: string) => `${prefix}${randomBytes(4).toString("hex").toUpperCase()}`;

function env(): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    REDIS_URL,
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.url,
    LOG_LEVEL: "warn",
  };
}

/** A bot process (tests/fixtures/slack-bot.ts); resolves with it and its URL once it listens. */
function startBot(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/fixtures/slack-bot.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env(), RECLAIM_MS: "3000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  bots.push(child);
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const ready = /ready (\S+)/.exec(out);
      if (ready) resolve({ child, url: ready[1]! });
    });
    child.once("exit", (code) => reject(new Error(`bot exited (${code}) before ready:\n${out}`)));
  });
}

beforeAll(async () => {
  database = await createPostgresDatabase("ab_slack_inbox");
  openai = await startFakeOpenAI();
  slack = await startFakeSlack();
  const config = loadConfig(env());
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = connectRedis(REDIS_URL);
  await redis.connect();
  app = { config, logger: createLogger("silent"), db, redis };
});

afterAll(async () => {
  for (const b of bots) if (b.exitCode === null) b.kill("SIGKILL");
  await app?.redis?.del(`${queuePrefix(app.config.database)}:slack-inbox`);
  app?.redis?.disconnect();
  await app?.db.close();
  await slack?.close();
  await openai?.close();
  await database?.drop();
});

describe("Slack's durable intake", () => {
  it("writes the draft once when the bot dies between acknowledging a mention and accepting it", async () => {
    const channel = id("C");
    const user = id("U");
    const first = await startBot();
    // The front desk looks the person up (users.info) before it accepts: hold Slack there.
    const release = slack.hold("users.info");
    const sent = await slack.mention(first.url, {
      channel,
      user,
      text: `<@${slack.botUserId}> supply chain resilience for executives, 300 words`,
    });
    expect(sent.delivery.status).toBe(200); // acknowledged: Slack will not send it again
    await until("the bot to be accepting the mention", () =>
      slack.callsTo("users.info").some((c) => c.args.user === user),
    );
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    release();
    const requestKey = `SLACK:${sent.eventId}`;
    expect(await app.db.prisma.generation.count({ where: { requestKey } })).toBe(0);

    await startBot();
    const g = await until(
      "the draft to be delivered by the other bot process",
      async () => {
        const found = await app.db.prisma.generation.findUnique({ where: { requestKey } });
        return found?.status === "DELIVERED" && readSlackDeliveryState(found.deliveryState ?? {}).closedTs
          ? found
          : null;
      },
      { timeoutMs: 45_000 },
    );
    // Once: one generation, one draft in the channel, and nothing left in the inbox to hand over.
    expect(await app.db.prisma.generation.count({ where: { requestKey } })).toBe(1);
    // The draft is under the person's own message: no bot message at the top of the channel.
    expect(slack.messages(channel).filter((m) => m.bot && !m.threadTs)).toHaveLength(0);
    expect(readSlackDeliveryState(g.deliveryState ?? {}).rootTs).toBe(sent.ts);
    const closing = slack
      .messages(channel)
      .filter((m) => m.ts === readSlackDeliveryState(g.deliveryState ?? {}).closedTs);
    expect(closing).toHaveLength(1);
    const key = `${queuePrefix(app.config.database)}:slack-inbox`;
    await until("the inbox entry to be acknowledged", async () => (await app.redis!.xlen(key)) === 0);
  }, 90_000);
});
