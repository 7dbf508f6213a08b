/**
 * Slack streaming cadence: how soon the model's first words are visible in Slack, and how
 * long the person ever waits between two visible updates while a draft is written.
 *
 * The real bot (Slack ingress, pipeline, worker, Slack sink) over PostgreSQL + Redis + BullMQ,
 * a fake OpenAI at 500 ms to the first token and 50 tokens per second, and the fake Slack
 * recording when each chat.startStream / appendStream / postMessage reached it. 50 mentions in
 * 50 channels, 10 at a time. Per draft:
 *   - first text: the model's first token (seen where the pipeline reads the stream) to the
 *     first streamed text at Slack (goal: p95 ≤ 300 ms);
 *   - largest gap: the longest silence between two visible updates of the draft's text, from
 *     its first text to its last (goal: ≤ 1.5 s).
 * `npm run load -- slack-stream`
 */

import { slackPlatform } from "../../bot/slack/index.ts";
import { createGenerator } from "../../core/generate/index.ts";
import type { Generator } from "../../core/generate/types.ts";
import { createPipeline } from "../../core/pipeline/index.ts";
import { startHttpServer } from "../../ops/server.ts";
import { startFakeOpenAI } from "../../tests/fakes/openai.ts";
import { startFakeSlack } from "../../tests/fakes/slack.ts";
import { openTestApp } from "../../tests/helpers/test-app.ts";

const DRAFTS = 50;
const CONCURRENT = 10;
const FIRST_TOKEN_MS = 500;
const TOKENS_PER_SECOND = 50;
const TEXT_METHODS = new Set(["chat.startStream", "chat.appendStream", "chat.postMessage"]);

/** Remembers when each prompt's first text delta arrived; the topic's tag names the draft. */
function timedGenerator(inner: Generator, firstTokenAt: Map<string, number>): Generator {
  return {
    model: inner.model,
    offline: inner.offline,
    async *stream(prompt, opts) {
      const tag = /bench-\d+/.exec(JSON.stringify(prompt.messages))?.[0];
      for await (const event of inner.stream(prompt, opts)) {
        if (tag && event.type === "delta" && !firstTokenAt.has(tag)) firstTokenAt.set(tag, Date.now());
        yield event;
      }
    },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function run(): Promise<void> {
  const openai = await startFakeOpenAI({
    firstTokenLatencyMs: FIRST_TOKEN_MS,
    tokensPerSecond: TOKENS_PER_SECOND,
  });
  const slack = await startFakeSlack();
  const test = await openTestApp("ab_load_slack_stream", () => ({
    OPENAI_API_KEY: openai.apiKey,
    OPENAI_BASE_URL: openai.url,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.url,
  }));
  const app = test.app;
  const firstTokenAt = new Map<string, number>();
  const generator = timedGenerator(createGenerator(app.config, app.logger), firstTokenAt);
  const platform = slackPlatform(app);
  const pipeline = createPipeline(app, {
    generator,
    workerConcurrency: DRAFTS,
    sinks: { SLACK: platform.sink },
  });
  pipeline.startWorker();
  const server = await startHttpServer(app, { host: "127.0.0.1", port: 0 });
  const ingress = await platform.startIngress(server, pipeline);
  try {
    const drafts = Array.from({ length: DRAFTS }, (_, i) => ({
      tag: `bench-${i}`,
      channel: `CSTREAM${String(i).padStart(3, "0")}`,
      user: `USTREAM${String(i).padStart(3, "0")}`,
    }));
    const started = Date.now();
    const keys: string[] = [];
    // In waves of CONCURRENT drafts: a busy channel-full, not a CPU contest on a shared machine.
    for (let wave = 0; wave < DRAFTS; wave += CONCURRENT) {
      const sent = await Promise.all(
        drafts.slice(wave, wave + CONCURRENT).map((d) =>
          slack.mention(server.url, {
            channel: d.channel,
            user: d.user,
            text: `<@${slack.botUserId}> write about ${d.tag} retail media networks for executives, 400 words`,
          }),
        ),
      );
      const waveKeys = sent.map((s) => `SLACK:${s.eventId}`);
      keys.push(...waveKeys);
      for (;;) {
        const done = await app.db.prisma.generation.count({
          where: { requestKey: { in: waveKeys }, status: { in: ["DELIVERED", "FAILED"] } },
        });
        if (done === waveKeys.length) break;
        if (Date.now() - started > 300_000) throw new Error("the drafts did not finish in 5 minutes");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last closing blocks

    const firstText: number[] = [];
    const largestGap: number[] = [];
    for (const d of drafts) {
      const updates = slack.calls
        .filter((c) => c.args.channel === d.channel && TEXT_METHODS.has(c.method) && c.response.ok)
        .filter(
          (c) => c.method !== "chat.postMessage" || !JSON.stringify(c.args.blocks ?? "").includes('"stop"'),
        )
        .map((c) => c.at);
      const token = firstTokenAt.get(d.tag);
      if (!updates.length || token === undefined) throw new Error(`${d.tag}: no text reached Slack`);
      firstText.push(updates[0]! - token);
      largestGap.push(Math.max(0, ...updates.slice(1).map((at, i) => at - updates[i]!)));
    }
    const failed = await app.db.prisma.generation.count({
      where: { requestKey: { in: keys }, status: "FAILED" },
    });
    const row = (name: string, v: number[]) =>
      `${name.padEnd(34)} p50 ${percentile(v, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(v, 95)
        .toFixed(0)
        .padStart(5)} ms   max ${Math.max(...v)
        .toFixed(0)
        .padStart(5)} ms`;
    console.log(
      `slack-stream: ${DRAFTS} drafts, ${CONCURRENT} at a time, fake model ${FIRST_TOKEN_MS} ms to first token, ${TOKENS_PER_SECOND} tokens/s (${failed} failed)`,
    );
    console.log(row("first token -> first text in Slack", firstText));
    console.log(row("largest gap between text updates", largestGap));
    console.log(
      `appendStream calls ${slack.callsTo("chat.appendStream").length}, streams ${slack.callsTo("chat.startStream").length}`,
    );
  } finally {
    await ingress.close();
    await server.close();
    await pipeline.close();
    await test.close();
    await slack.close();
    await openai.close();
  }
}
