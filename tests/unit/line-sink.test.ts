import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineApi, retryKey } from "../../bot/line/client.ts";
import type { LineDestination } from "../../bot/line/destination.ts";
import { type LineDeliveryState, lineSinkFactory } from "../../bot/line/sink.ts";
import type { DraftSummary } from "../../core/deliver/sink.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { createLogger } from "../../core/logger.ts";
import { type FakeLine, lineId, startFakeLine } from "../fakes/line.ts";
import { until } from "../helpers/wait.ts";

/**
 * The LINE sink's bookkeeping against the fake Messaging API: what it buffers, when the reply
 * goes, and how a second attempt of the same job continues without sending anything twice.
 */

let line: FakeLine;
let api: LineApi;
beforeAll(async () => {
  line = await startFakeLine();
  api = new LineApi({ accessToken: line.accessToken, baseUrl: line.url, retryDelayMs: 10 });
});
afterAll(() => line?.close());

const request: ArticleRequest = {
  topic: "AI in retail",
  industry: "retail",
  audience: "executives",
  targetWords: 800,
  keywords: [],
  language: "en",
  tone: "executive",
};
const header = (generationId: string) => ({
  generationId,
  request,
  notes: [],
  cacheHit: false,
  resumed: false,
});
const summary = (generationId: string): DraftSummary => ({
  generationId,
  request,
  words: 812,
  sources: [],
  cacheHit: false,
  offline: false,
  draft: "",
});

/** What the pipeline does around a sink: one generation's saved state, shared by its attempts. */
function generation(opts: { replyAfterMs?: number; tokenAgeMs?: number } = {}) {
  const recorded: string[] = [];
  const userId = lineId();
  const id = `gen${Math.random().toString(36).slice(2, 12)}`;
  const destination: LineDestination = {
    platform: "LINE",
    to: userId,
    replyToken: line.issueReplyToken(userId),
    receivedAt: Date.now() - (opts.tokenAgeMs ?? 0),
    chatType: "user",
    lang: "en",
  };
  let saved: LineDeliveryState = {};
  const factory = lineSinkFactory({
    api,
    logger: createLogger("silent"),
    replyAfterMs: opts.replyAfterMs ?? 60_000,
    isCurrentAttempt: async (_id, attempt) => saved.attempt === attempt,
    recordMessages: async (generationId, ids) =>
      void recorded.push(...ids.map((m) => `${generationId}:${m}`)),
  });
  return {
    id,
    userId,
    replyToken: destination.replyToken!,
    get saved() {
      return saved;
    },
    setSaved(state: LineDeliveryState) {
      saved = state;
    },
    attempt: () =>
      factory({
        destination,
        state: structuredClone(saved) as Record<string, unknown>,
        saveState: async (patch) => void (saved = { ...saved, ...structuredClone(patch) }),
      }),
    texts: () => line.messagesTo(userId).map((d) => d.message.text),
    /** "generation:message id" for every bubble the sink reported. */
    recorded,
  };
}

describe("the LINE sink", () => {
  it("holds bubbles until 5 are ready, replies with them, and pushes the rest at the end", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    for (let i = 0; i < 4; i++) await sink.postChunk({ index: i, text: `## Part ${i}\n\nBody ${i}` });
    expect(g.texts()).toEqual([]); // the reply token is kept for more
    await sink.postChunk({ index: 4, text: "Body 4" });
    expect(line.messagesTo(g.userId).map((d) => d.via)).toEqual([
      "reply",
      "reply",
      "reply",
      "reply",
      "reply",
    ]);
    await sink.postChunk({ index: 5, text: "Body 5" });
    await sink.finish(summary(g.id));
    const got = line.messagesTo(g.userId);
    expect(got.map((d) => d.message.text)).toEqual([
      "■ Part 0\n\nBody 0",
      "■ Part 1\n\nBody 1",
      "■ Part 2\n\nBody 2",
      "■ Part 3\n\nBody 3",
      "Body 4",
      "Body 5",
      expect.stringMatching(/^✅ Draft ready/),
    ]);
    expect(got.slice(5).every((d) => d.via === "push")).toBe(true);
  });

  it("replies with what is ready once the token has aged, without waiting for 5", async () => {
    const g = generation({ replyAfterMs: 50 });
    const sink = g.attempt();
    await sink.start(header(g.id));
    await sink.postChunk({ index: 0, text: "# Title\n\nHook" });
    await until("the deadline timer to reply", () => g.texts().length === 1, { timeoutMs: 5_000 });
    expect(line.messagesTo(g.userId)[0]!.via).toBe("reply");
    await sink.postChunk({ index: 1, text: "Body 1" });
    await sink.finish(summary(g.id));
    expect(
      line
        .messagesTo(g.userId)
        .slice(1)
        .map((d) => d.via),
    ).toEqual(["push", "push"]);
  });

  it("a second attempt sends what the first had buffered, in order, once", async () => {
    const g = generation();
    const first = g.attempt();
    await first.start(header(g.id));
    for (let i = 0; i < 3; i++) await first.postChunk({ index: i, text: `Body ${i}` });
    expect(g.texts()).toEqual([]);
    // The worker died here, before the pipeline recorded chunk 2: it passes chunk 2 again.
    const second = g.attempt();
    await second.start({ ...header(g.id), resumed: true });
    for (let i = 2; i < 6; i++) await second.postChunk({ index: i, text: `Body ${i}` });
    await second.finish(summary(g.id));
    expect(g.texts()).toEqual([
      "Body 0",
      "Body 1",
      "Body 2",
      "Body 3",
      "Body 4",
      "Body 5",
      expect.stringMatching(/^✅/),
    ]);
  });

  it("resends a push the first attempt wrote down under the same retry key, and LINE's 409 means it arrived", async () => {
    const g = generation();
    const messages = [
      { type: "text" as const, text: "Body 0" },
      { type: "text" as const, text: "Body 1" },
    ];
    // The first attempt's push went through, then the worker died before recording it.
    await api.push(g.userId, messages, retryKey(g.id, "push", 0));
    g.setSaved({ replyUsed: true, sent: 0, batches: 1, pending: [], inflight: { batch: 0, messages } });
    const sink = g.attempt();
    await sink.start({ ...header(g.id), resumed: true });
    await sink.finish(summary(g.id));
    expect(g.texts()).toEqual(["Body 0", "Body 1", expect.stringMatching(/^✅/)]);
    const pushes = line.calls.filter(
      (c) => c.endpoint === "push" && (c.body as { to: string }).to === g.userId,
    );
    expect(pushes.map((p) => p.status)).toEqual([200, 409, 200]);
  });

  it("an abandoned attempt's timer stays quiet once a newer attempt took over", async () => {
    const g = generation({ replyAfterMs: 100 });
    const stale = g.attempt();
    await stale.start(header(g.id));
    await stale.postChunk({ index: 0, text: "Body 0" });
    const current = g.attempt();
    await current.start({ ...header(g.id), resumed: true }); // records its own attempt id
    await new Promise((r) => setTimeout(r, 150)); // both deadlines have passed
    await until("the newer attempt's reply", () => g.texts().length === 1, { timeoutMs: 5_000 });
    await current.finish(summary(g.id));
    expect(g.texts()).toEqual(["Body 0", expect.stringMatching(/^✅/)]);
  });

  it("falls back to push when the reply token was already used", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    await sink.postChunk({ index: 0, text: "Body 0" });
    await api.reply(g.replyToken, [{ type: "text", text: "Someone else answered first" }]); // one reply per token
    await sink.finish(summary(g.id));
    expect(line.messagesTo(g.userId).map((d) => [d.via, d.message.text])).toEqual([
      ["reply", "Someone else answered first"],
      ["push", "Body 0"],
      ["push", expect.stringMatching(/^✅/)],
    ]);
  });

  it("reports the id LINE gave every bubble it sent, by reply and by push", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    for (let i = 0; i < 6; i++) await sink.postChunk({ index: i, text: `Body ${i}` });
    await sink.finish(summary(g.id));
    const got = line.messagesTo(g.userId);
    expect(got.map((d) => d.via)).toEqual(["reply", "reply", "reply", "reply", "reply", "push", "push"]);
    expect(g.recorded).toEqual(got.map((d) => `${g.id}:${d.id}`));
  });

  it("sends nothing more once stopped: not the buffered bubbles, not the reply at the token's deadline", async () => {
    const g = generation({ replyAfterMs: 200 });
    const sink = g.attempt();
    await sink.start(header(g.id));
    await sink.postChunk({ index: 0, text: "Body 0" });
    await sink.stopped!({ generationId: g.id, request, chunksDelivered: 1, refunded: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(g.texts()).toEqual([]);
    expect(g.saved.pending).toEqual([]);
  });

  it("says a draft waits its turn by the free reply, then sends the draft by push", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.waiting!({ generationId: g.id, request, ahead: 1 });
    expect(line.messagesTo(g.userId).map((d) => [d.via, d.message.text])).toEqual([
      ["reply", '⏳ Got it — I\'ll start on "AI in retail" as soon as the draft before it is done.'],
    ]);
    await sink.start(header(g.id));
    await sink.postChunk({ index: 0, text: "Body 0" });
    await sink.finish(summary(g.id));
    expect(line.messagesTo(g.userId).map((d) => d.via)).toEqual(["reply", "push", "push"]);
    expect(g.recorded).toHaveLength(2); // the draft's bubbles, not the notice
  });
});
