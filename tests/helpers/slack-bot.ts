import { type SlackOptions, slackPlatform } from "../../bot/slack/index.ts";
import type { AppContext } from "../../core/app.ts";
import { createGenerator, type GeneratorTuning } from "../../core/generate/index.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type HttpServer, startHttpServer } from "../../ops/server.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { type FakeSlack, startFakeSlack } from "../fakes/slack.ts";
import { openTestApp } from "./test-app.ts";

type Env = Record<string, string>;

/** Where the bot's services come from: by default a fresh PostgreSQL database and the machine's Redis. */
export interface SlackBotProfile {
  app: AppContext;
  close(): Promise<void>;
}

export interface SlackBotOptions {
  /** Added to (or overriding) the fakes' variables. */
  env?: Env;
  /** Opens the services from the environment; `openTestApp(prefix)` unless given (an embedded profile, say). */
  open?: (env: Env) => Promise<SlackBotProfile>;
  /** The platform's pacing and status cadence; tests shorten them. */
  platform?: SlackOptions;
  /** Omitted: the product's own generator settings. */
  generator?: GeneratorTuning;
  workerConcurrency?: number;
  /** A fake Slack the test already runs (and closes itself); a new one otherwise. */
  slack?: FakeSlack;
}

/** The Slack bot end to end for a test file: the real bot server, Bolt and worker, fake Slack and OpenAI. */
export interface SlackBot {
  openai: FakeOpenAI;
  slack: FakeSlack;
  app: AppContext;
  pipeline: Pipeline;
  server: HttpServer;
  close(): Promise<void>;
}

export async function startSlackBot(prefix: string, options: SlackBotOptions = {}): Promise<SlackBot> {
  const openai = await startFakeOpenAI();
  const ownSlack = !options.slack;
  const slack = options.slack ?? (await startFakeSlack());
  const env: Env = {
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.url,
    ...options.env,
  };
  const profile = options.open
    ? await options.open(env)
    : await openTestApp(prefix, () => env).then((t) => ({ app: t.app, close: t.close }));
  const app = profile.app;
  const generator = options.generator
    ? createGenerator(app.config, app.logger, options.generator)
    : undefined;
  const platform = slackPlatform(app, options.platform);
  const pipeline = createPipeline(app, {
    generator,
    workerConcurrency: options.workerConcurrency ?? 4,
    sinks: { SLACK: platform.sink },
  });
  pipeline.startWorker();
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  const ingress = await platform.startIngress(server, pipeline);
  return {
    openai,
    slack,
    app,
    pipeline,
    server,
    async close() {
      await ingress.close();
      await server.close();
      await pipeline.close();
      await profile.close();
      if (ownSlack) await slack.close();
      await openai.close();
    },
  };
}
