import { linePlatform } from "../../bot/line/index.ts";
import type { AppContext } from "../../core/app.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import { type FakeLine, type LineEvent, startFakeLine } from "../fakes/line.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { openTestApp, type TestApp } from "./test-app.ts";

/** The LINE bot end to end for a test file: the real bot server and worker on PostgreSQL and Redis, fake LINE and OpenAI. */
export interface LineBot {
  openai: FakeOpenAI;
  line: FakeLine;
  testApp: TestApp;
  app: AppContext;
  pipeline: Pipeline;
  server: HttpServer;
  webhookUrl: string;
  /** Signed as LINE signs them, to the bot's webhook. */
  send(...events: LineEvent[]): ReturnType<FakeLine["deliver"]>;
  close(): Promise<void>;
}

export async function startLineBot(prefix: string, env: Record<string, string> = {}): Promise<LineBot> {
  const openai = await startFakeOpenAI();
  const line = await startFakeLine();
  const testApp = await openTestApp(prefix, () => ({
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    LINE_CHANNEL_SECRET: line.channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: line.accessToken,
    LINE_API_BASE_URL: line.url,
    ...env,
  }));
  const app = testApp.app;
  const platform = linePlatform(app);
  const pipeline = createPipeline(app, { workerConcurrency: 4, sinks: { LINE: platform.sink } });
  pipeline.startWorker();
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  const ingress = await platform.startIngress(server, pipeline);
  const webhookUrl = `${server.url}/line/webhook`;
  return {
    openai,
    line,
    testApp,
    app,
    pipeline,
    server,
    webhookUrl,
    send: (...events) => line.deliver(webhookUrl, events),
    async close() {
      await ingress.close();
      await server.close();
      await pipeline.close();
      await testApp.close();
      await line.close();
      await openai.close();
    },
  };
}
