import { createHmac } from "node:crypto";
import http from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linePlatform } from "../../bot/line/index.ts";
import type { AppContext } from "../../core/app.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import { type FakeLine, startFakeLine } from "../fakes/line.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * Hostile webhook deliveries (fast-check): malformed JSON, invalid UTF-8, deep nesting, wrong
 * shapes, huge bodies, forged and edge-case signatures. The server answers each with a clear
 * 2xx/4xx (never a 5xx, never a hang), keeps serving, and writes nothing for unsigned input.
 */
let testApp: TestApp;
let openai: FakeOpenAI;
let line: FakeLine;
let app: AppContext;
let pipeline: Pipeline;
let server: HttpServer;
let ingress: { close(): Promise<void> };
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  openai = await startFakeOpenAI();
  line = await startFakeLine();
  testApp = await openTestApp("ab_fuzz", () => ({
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    LINE_CHANNEL_SECRET: line.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: line.accessToken,
    LINE_API_BASE_URL: line.url,
  }));
  app = testApp.app;
  const platform = linePlatform(app);
  pipeline = createPipeline(app, { workerConcurrency: 4, sinks: { LINE: platform.sink } });
  pipeline.startWorker();
  server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  ingress = await platform.startIngress(server, pipeline);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await ingress?.close();
  await server?.close();
  await pipeline?.close();
  await testApp?.close();
  await line?.close();
  await openai?.close();
});

/** Raw bytes to the webhook, with exactly the headers given (no client-side "fixing"). */
function post(
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(server.url + path);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: "POST",
        headers: { "content-length": String(body.length), ...headers },
        timeout: 10_000,
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("the server did not answer in 10 s")));
    req.on("error", reject);
    req.end(body);
  });
}

const lineSign = (body: Buffer) => createHmac("sha256", line.channelSecret).update(body).digest("base64");

/** Nested `{"events":[…]}` built as text, so the test itself never recurses. */
const deep = (depth: number) => Buffer.from(`${'{"events":['.repeat(depth)}"x"${"]}".repeat(depth)}`);
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)), // arbitrary bytes, invalid UTF-8 included
  fc.json({ maxDepth: 5 }).map((j) => Buffer.from(j)),
  fc.string({ unit: "binary", maxLength: 500 }).map((s) => Buffer.from(s)),
  fc
    .record({ destination: fc.string(), events: fc.array(fc.object({ maxDepth: 3 }), { maxLength: 5 }) })
    .map((o) => Buffer.from(JSON.stringify(o))),
  fc
    .array(
      fc.record({
        type: fc.constantFrom(
          "message",
          "postback",
          "follow",
          "unfollow",
          "join",
          "memberJoined",
          "unsend",
          "videoPlayComplete",
          "beacon",
          "??",
        ),
        webhookEventId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        replyToken: fc.oneof(fc.string(), fc.constant(undefined)),
        source: fc.oneof(
          fc.record({
            type: fc.constantFrom("user", "group", "room", "x"),
            userId: fc.oneof(fc.string(), fc.constant(undefined)),
            groupId: fc.option(fc.string()),
          }),
          fc.constant(null),
          fc.string(),
        ),
        message: fc.oneof(
          fc.record({
            type: fc.constantFrom("text", "sticker", "image", "location"),
            text: fc.oneof(fc.string({ unit: "binary" }), fc.integer()),
            mention: fc.option(fc.object()),
          }),
          fc.constant(null),
        ),
        postback: fc.option(fc.record({ data: fc.string({ unit: "binary" }) })),
        deliveryContext: fc.option(fc.record({ isRedelivery: fc.oneof(fc.boolean(), fc.string()) })),
        timestamp: fc.oneof(fc.integer(), fc.string()),
      }),
      { maxLength: 5 },
    )
    .map((events) => Buffer.from(JSON.stringify({ destination: line.botUserId, events }))),
  fc.integer({ min: 100, max: 20_000 }).map(deep),
);

describe("LINE webhook under hostile input", () => {
  it("answers every signed body with 200 or a 4xx and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await post("/line/webhook", body, {
          "content-type": "application/json",
          "x-line-signature": lineSign(body),
        });
        expect([200, 400, 413, 415]).toContain(res.status);
        expect(res.body).not.toMatch(/\bat .+\.ts:\d+|Error:/); // no stack traces or internals
      }),
      { numRuns: 150 },
    );
    expect(
      (
        await post(
          "/line/webhook",
          Buffer.from(JSON.stringify({ destination: line.botUserId, events: [] })),
          {
            "x-line-signature": lineSign(
              Buffer.from(JSON.stringify({ destination: line.botUserId, events: [] })),
            ),
            "content-type": "application/json",
          },
        )
      ).status,
    ).toBe(200);
  });

  it("rejects every unsigned or wrongly signed body with 401 and writes nothing", async () => {
    const before = await app.db.prisma.generation.count();
    const signatures = fc.oneof(
      fc.constant(""),
      fc.string(),
      fc.base64String({ maxLength: 60 }),
      fc.constant("=".repeat(44)),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("base64")), // right length, wrong value
    );
    await fc.assert(
      fc.asyncProperty(bodies, signatures, async (body, signature) => {
        fc.pre(signature !== lineSign(body));
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (signature) headers["x-line-signature"] = signature;
        const res = await post("/line/webhook", body, headers);
        expect(res.status).toBe(401);
      }),
      { numRuns: 150 },
    );
    const event = line.events.text({ userId: "Uforged", text: "write an article about forged signatures" });
    const body = Buffer.from(JSON.stringify({ destination: line.botUserId, events: [event] }));
    expect(
      (
        await post("/line/webhook", body, {
          "x-line-signature": lineSign(Buffer.from(`${body.toString()} `)),
          "content-type": "application/json",
        })
      ).status,
    ).toBe(401);
    expect(await app.db.prisma.generation.count()).toBe(before);
  });

  it("refuses a huge body without reading it all, then serves the next request", async () => {
    const huge = Buffer.alloc(5 * 2 ** 20, "a");
    const res = await post("/line/webhook", huge, {
      "content-type": "application/json",
      "x-line-signature": lineSign(huge),
    }).catch((e: Error) => ({ status: 413, body: e.message }));
    expect(res.status).toBe(413);
    const ok = Buffer.from(JSON.stringify({ destination: line.botUserId, events: [] }));
    expect(
      (
        await post("/line/webhook", ok, {
          "content-type": "application/json",
          "x-line-signature": lineSign(ok),
        })
      ).status,
    ).toBe(200);
  });

  it("left no promise rejected unhandled", async () => {
    await new Promise((r) => setTimeout(r, 500)); // let the events processed after the 200 settle
    expect(unhandled).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
