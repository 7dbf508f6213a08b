import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linePlatform } from "../../bot/line/index.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import { seed } from "../../prisma/seed.ts";
import { type FakeLine, isResultCard, lineId, startFakeLine } from "../fakes/line.ts";
import { until } from "../helpers/wait.ts";

/**
 * The LINE bot on the embedded profile (`npm start` with nothing configured but LINE): PGlite,
 * no Redis (in-memory inbox and dedup), in-process queue, offline outline composer.
 */

let dir: string;
let line: FakeLine;
let app: AppContext;
let pipeline: Pipeline;
let server: HttpServer;
let ingress: { close(): Promise<void> };
let webhookUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ab-line-embedded-"));
  line = await startFakeLine();
  const config = loadConfig({
    DATA_DIR: dir,
    PORT: "0",
    ADMIN_PORT: "0",
    LINE_CHANNEL_SECRET: line.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: line.accessToken,
    LINE_API_BASE_URL: line.url,
  });
  expect(config.redis).toBeNull();
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  app = { config, logger: createLogger("silent"), db, redis: null };
  const platform = linePlatform(app);
  pipeline = createPipeline(app, { sinks: { LINE: platform.sink } });
  pipeline.startWorker();
  server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  ingress = await platform.startIngress(server, pipeline);
  webhookUrl = `${server.url}/line/webhook`;
});

afterAll(async () => {
  await ingress?.close();
  await server?.close();
  await pipeline?.close();
  await app?.db.close();
  await line?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("LINE on the embedded profile", () => {
  it("delivers an honestly labelled outline, once, even when LINE redelivers the event", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Kai", language: "en" });
    const event = line.events.text({ userId: user, text: "write about cold-chain logistics for COOs" });
    expect((await line.deliver(webhookUrl, [event])).status).toBe(200);
    expect((await line.deliver(webhookUrl, [line.events.redelivery(event)])).status).toBe(200);
    await until("the draft's closing message", () => line.messagesTo(user).some(isResultCard));
    await new Promise((r) => setTimeout(r, 300));
    const got = line.messagesTo(user);
    expect(got.filter(isResultCard)).toHaveLength(1);
    expect(JSON.stringify(got.at(-1)!.message.contents)).toMatch(/outline rather than a finished draft/);
    for (const d of got.slice(0, -1)) expect(d.message.text!.length).toBeLessThanOrEqual(5_000);
  });

  it("answers a Thai sticker with Thai guidance once", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "ฟ้า", language: "th" });
    const sticker = line.events.sticker({ userId: user });
    await line.deliver(webhookUrl, [sticker]);
    await line.deliver(webhookUrl, [line.events.redelivery(sticker)]);
    await until("an answer to the sticker", () => line.messagesTo(user).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(line.messagesTo(user)).toHaveLength(1);
    expect(line.messagesTo(user)[0]!.message.text).toMatch(/บอทอ่านได้เฉพาะข้อความ/);
  });

  it("revises the chat's outline from a follow-up and a quoted bubble, and answers thanks and quota without writing", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Kai", language: "en" });
    const footers = () => line.messagesTo(user).filter(isResultCard).length;
    const first = line.events.text({
      userId: user,
      text: "write about smart farming for executives, 800 words",
    });
    await line.deliver(webhookUrl, [first]);
    await until("the outline", () => footers() === 1);
    const v1 = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `LINE:${first.webhookEventId}` },
    });

    const follow = line.events.text({ userId: user, text: "make it shorter" });
    await line.deliver(webhookUrl, [follow]);
    await until("the revised outline", () => footers() === 2);
    const v2 = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `LINE:${follow.webhookEventId}` },
    });
    expect(v2).toMatchObject({ draftId: v1.draftId, revisesId: v1.id, instruction: "make it shorter" });

    // Past the chat's window, quoting the first outline's title bubble still finds the draft.
    await app.db.prisma.draft.update({
      where: { id: v1.draftId! },
      data: { updatedAt: new Date(Date.now() - 60 * 60_000) },
    });
    const title = await until("the title bubble recorded", () =>
      app.db.prisma.draftMessage.findFirst({ where: { generationId: v1.id } }),
    );
    const quoting = line.events.text({ userId: user, text: "more formal", quotedMessageId: title.messageId });
    await line.deliver(webhookUrl, [quoting]);
    await until("the quoted revision", () => footers() === 3);
    const v3 = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `LINE:${quoting.webhookEventId}` },
    });
    expect(v3).toMatchObject({ draftId: v1.draftId, revisesId: v2.id, instruction: "more formal" });
    expect((v3.request as { tone: string }).tone).toBe("executive");

    const before = line.messagesTo(user).length;
    await line.deliver(webhookUrl, [line.events.text({ userId: user, text: "thanks!" })]);
    await line.deliver(webhookUrl, [line.events.text({ userId: user, text: "quota" })]);
    await until("two answers", () => line.messagesTo(user).length === before + 2);
    const [thanks, quota] = line.messagesTo(user).slice(before);
    expect(thanks!.message.text).toBe(
      "👍 Glad to help! Send a new topic any time, or tell me what to change in the draft.",
    );
    expect(quota!.message.text!.split("\n").slice(0, 2)).toEqual([
      "📊 Your usage",
      expect.stringMatching(/^Today: 1 of 10 articles · resets on /),
    ]);
    expect(await app.db.prisma.generation.count({ where: { requester: { externalId: user } } })).toBe(3);
  });
});
