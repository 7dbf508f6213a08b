import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineApi, retryKey } from "../../bot/line/client.ts";
import type { LineDestination } from "../../bot/line/destination.ts";
import { type LineDeliveryState, LineSink, type LineSinkDeps, lineSinkFactory } from "../../bot/line/sink.ts";
import { DeliveryIncomplete, type DraftSummary } from "../../core/deliver/sink.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { createLogger } from "../../core/logger.ts";
import { type FakeLine, lineId, startFakeLine } from "../fakes/line.ts";
import { until } from "../helpers/wait.ts";

/**
 * The LINE sink against the fake Messaging API: one packed reply with the result card, what
 * goes when the token's deadline comes first ("Continue reading"), the push policy, the
 * monthly limit, and how a second attempt or a second finish sends nothing twice.
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
const header = (generationId: string, linePushPolicy: "NEVER" | "FALLBACK" | "ALWAYS" = "NEVER") => ({
  generationId,
  linePushPolicy,
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
function generation(
  opts: {
    replyDeadlineMs?: number;
    tokenAgeMs?: number;
    chatType?: "user" | "group";
    loadingRenewMs?: number;
  } = {},
) {
  const recorded: string[] = [];
  const userId = opts.chatType === "group" ? lineId("C") : lineId();
  const id = `gen${Math.random().toString(36).slice(2, 12)}`;
  const destination: LineDestination = {
    platform: "LINE",
    to: userId,
    replyToken: line.issueReplyToken(userId),
    receivedAt: Date.now() - (opts.tokenAgeMs ?? 0),
    chatType: opts.chatType ?? "user",
    lang: "en",
  };
  let saved: LineDeliveryState = {};
  const completed: string[] = [];
  const deps: LineSinkDeps = {
    api,
    logger: createLogger("silent"),
    replyDeadlineMs: opts.replyDeadlineMs ?? 50_000,
    loadingRenewMs: opts.loadingRenewMs,
    isCurrentAttempt: async (_id, attempt) => saved.attempt === attempt,
    recordMessages: async (generationId, ids) =>
      void recorded.push(...ids.map((m) => `${generationId}:${m}`)),
    onComplete: async (generationId) => void completed.push(generationId),
  };
  const factory = lineSinkFactory(deps);
  const ctx = () => ({
    destination,
    state: structuredClone(saved) as Record<string, unknown>,
    saveState: async (patch: Record<string, unknown>) =>
      void (saved = { ...saved, ...structuredClone(patch) }),
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
    attempt: () => factory(ctx()),
    /** A "Continue reading" tap, handled as continuation.ts does: a sink from the saved state. */
    async tap() {
      const token = line.issueReplyToken(userId);
      return new LineSink(deps, {
        ...ctx(),
        destination: { ...destination, replyToken: token },
      }).continueReading(token, id);
    },
    completed,
    texts: () => line.messagesTo(userId).map((d) => d.message.text),
    /** "generation:message id" for every bubble the sink reported. */
    recorded,
  };
}

const paragraph = (n: number, chars: number) =>
  `Paragraph ${n}. ${"word ".repeat(Math.ceil(chars / 5))}`.slice(0, chars);
const vias = (g: { userId: string }) => line.messagesTo(g.userId).map((d) => d.via);
const types = (g: { userId: string }) => line.messagesTo(g.userId).map((d) => d.message.type);

describe("the LINE sink", () => {
  it("packs a finished draft into one free reply: few full bubbles and the result card last", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    // Seven sections of ~750 characters: 5,258 characters in all, which fit in 2 bubbles.
    for (let i = 0; i < 7; i++) await sink.postChunk({ index: i, text: paragraph(i, 748) });
    expect(g.texts()).toEqual([]); // held for the one reply
    await sink.finish(summary(g.id));
    expect(vias(g)).toEqual(["reply", "reply", "reply"]);
    expect(types(g)).toEqual(["text", "text", "flex"]);
    const [first, second] = g.texts();
    expect(first!.length).toBeLessThanOrEqual(5_000);
    expect(first!.length + second!.length).toBeGreaterThan(5_200);
    expect(first!.endsWith("word") || first!.endsWith("word.")).toBe(true); // cut between words
    const card = line.messagesTo(g.userId)[2]!.message;
    expect(card.altText).toBe("✅ Draft ready · 812 words");
    const data = JSON.stringify(card.contents);
    for (const a of ["a=shorter", "a=angle", "a=new", "v=up", "v=down"]) expect(data).toContain(a);
    expect(g.saved.done).toBe(true);
    expect(
      line.calls.some((c) => c.endpoint === "loading" && (c.body as { chatId: string }).chatId === g.userId),
    ).toBe(true);
  });

  it("keeps the loading animation running until the reply, asking again before it lapses", async () => {
    const g = generation({ loadingRenewMs: 40 });
    const loadings = () =>
      line.calls.filter(
        (c) => c.endpoint === "loading" && (c.body as { chatId: string }).chatId === g.userId,
      );
    const sink = g.attempt();
    await sink.start(header(g.id));
    await until("the animation asked for again", () => loadings().length >= 3, { timeoutMs: 5_000 });
    expect(loadings().every((c) => (c.body as { loadingSeconds: number }).loadingSeconds === 60)).toBe(true);
    await sink.postChunk({ index: 0, text: "Body 0" });
    await sink.finish(summary(g.id));
    const after = loadings().length;
    await new Promise((r) => setTimeout(r, 200));
    expect(loadings().length).toBe(after); // the reply ended it: no more calls
  });

  it("a Thai draft of 3,600 characters is one bubble and the card", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    const thai = "การเปลี่ยนแปลงทางดิจิทัลในธุรกิจค้าปลีก ".repeat(90);
    for (let i = 0; i < 4; i++) await sink.postChunk({ index: i, text: thai.slice(0, 900) });
    await sink.finish(summary(g.id));
    expect(types(g)).toEqual(["text", "flex"]);
    expect(vias(g)).toEqual(["reply", "reply"]);
  });

  it("by the deadline replies with what is ready and Continue reading; the tap's fresh token brings the rest", async () => {
    const g = generation({ replyDeadlineMs: 50 });
    const sink = g.attempt();
    await sink.start(header(g.id, "FALLBACK"));
    await sink.postChunk({ index: 0, text: "# Title\n\nHook" });
    await until("the reply at the deadline", () => g.texts().length === 2, { timeoutMs: 5_000 });
    expect(types(g)).toEqual(["text", "flex"]);
    expect(JSON.stringify(line.messagesTo(g.userId)[1]!.message.contents)).toContain("a=more");
    await sink.postChunk({ index: 1, text: "Body 1" });
    const ended = await sink.finish(summary(g.id)).catch((e: unknown) => e);
    expect(ended).toBeInstanceOf(DeliveryIncomplete);
    expect((ended as DeliveryIncomplete).code).toBe("awaiting_continue");
    expect(vias(g)).toEqual(["reply", "reply"]); // a button is in the chat: nothing is pushed
    expect(await g.tap()).toBe("sent");
    expect(
      line
        .messagesTo(g.userId)
        .slice(2)
        .map((d) => [d.via, d.message.type, d.message.text]),
    ).toEqual([
      ["reply", "text", "Body 1"],
      ["reply", "flex", undefined],
    ]);
    expect(g.completed).toEqual([g.id]);
    // The job run again (a crash after LINE accepted): nothing more is sent.
    await g.attempt().finish(summary(g.id));
    expect(line.messagesTo(g.userId)).toHaveLength(4);
    expect(await g.tap()).toBe("none");
  });

  it("a draft longer than one reply: 4 bubbles and Continue, then the rest and the card on the tap", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    for (let i = 0; i < 6; i++) await sink.postChunk({ index: i, text: paragraph(i, 4_990) });
    await expect(sink.finish(summary(g.id))).rejects.toBeInstanceOf(DeliveryIncomplete);
    expect(types(g)).toEqual(["text", "text", "text", "text", "flex"]);
    await g.tap();
    expect(types(g).slice(5)).toEqual(["text", "text", "flex"]);
    expect(vias(g).every((v) => v === "reply")).toBe(true);
  });

  it("FALLBACK pushes with retry keys only when no free way is left; NEVER keeps it and says why", async () => {
    for (const policy of ["FALLBACK", "NEVER"] as const) {
      const g = generation();
      const sink = g.attempt();
      await sink.start(header(g.id, policy));
      await sink.postChunk({ index: 0, text: "Body 0" });
      await api.reply(g.replyToken, [{ type: "text", text: "Someone else answered first" }]);
      const ended = await sink.finish(summary(g.id)).catch((e: unknown) => e);
      if (policy === "FALLBACK") {
        expect(ended).toBeUndefined();
        expect(vias(g)).toEqual(["reply", "push", "push"]);
        const push = line.calls.findLast((c) => c.endpoint === "push")!;
        expect(push.headers["x-line-retry-key"]).toBe(retryKey(g.id, "push", 0));
      } else {
        expect((ended as DeliveryIncomplete).code).toBe("reply_expired");
        expect(vias(g)).toEqual(["reply"]);
      }
    }
  });

  it("never pushes into a group unless the tier says ALWAYS", async () => {
    const g = generation({ chatType: "group", replyDeadlineMs: 50 });
    const sink = g.attempt();
    await sink.start(header(g.id, "FALLBACK"));
    await api.reply(g.replyToken, [{ type: "text", text: "used" }]);
    await sink.postChunk({ index: 0, text: "Body 0" });
    await expect(sink.finish(summary(g.id))).rejects.toBeInstanceOf(DeliveryIncomplete);
    expect(vias(g)).toEqual(["reply"]);
    expect(
      line.calls.some((c) => c.endpoint === "loading" && (c.body as { chatId: string }).chatId === g.userId),
    ).toBe(false);
  });

  it("the monthly limit stops pushing: the rest and a word about it come by the next free reply", async () => {
    const g = generation({ replyDeadlineMs: 50 });
    line.set({ monthlyLimit: line.quotaUsed() });
    try {
      const sink = g.attempt();
      await sink.start(header(g.id, "ALWAYS"));
      await sink.postChunk({ index: 0, text: "Body 0" });
      await until("the reply at the deadline", () => g.texts().length === 2, { timeoutMs: 5_000 });
      for (let i = 1; i < 8; i++) await sink.postChunk({ index: i, text: paragraph(i, 4_900) });
      const ended = await sink.finish(summary(g.id)).catch((e: unknown) => e);
      expect((ended as DeliveryIncomplete).code).toBe("line_monthly_limit");
      expect(line.calls.filter((c) => c.endpoint === "push" && c.status === 429)).toHaveLength(1);
      expect(vias(g)).toEqual(["reply", "reply"]);
      await g.tap();
      expect(line.messagesTo(g.userId)[2]!.message.text).toMatch(/used its messages for the month/);
    } finally {
      line.set({ monthlyLimit: null });
    }
  });

  it("a second attempt sends what the first had queued, in order, once", async () => {
    const g = generation();
    const first = g.attempt();
    await first.start(header(g.id));
    for (let i = 0; i < 3; i++) await first.postChunk({ index: i, text: `Body ${i}` });
    // The worker died here, before the pipeline recorded chunk 2: it passes chunk 2 again.
    const second = g.attempt();
    await second.start({ ...header(g.id), resumed: true });
    for (let i = 2; i < 6; i++) await second.postChunk({ index: i, text: `Body ${i}` });
    await second.finish(summary(g.id));
    expect(g.texts()).toEqual([
      ["Body 0", "Body 1", "Body 2", "Body 3", "Body 4", "Body 5"].join("\n\n"),
      undefined, // the card
    ]);
  });

  it("resends a push the first attempt wrote down under the same retry key, and LINE's 409 means it arrived", async () => {
    const g = generation();
    const messages = [
      { type: "text" as const, text: "Body 0" },
      { type: "text" as const, text: "Body 1" },
    ];
    await api.push(g.userId, messages, retryKey(g.id, "push", 0));
    g.setSaved({ replyUsed: true, sent: 0, batches: 1, pending: [], inflight: { batch: 0, messages } });
    const sink = g.attempt();
    await sink.start({ ...header(g.id, "FALLBACK"), resumed: true });
    await sink.finish(summary(g.id));
    expect(types(g)).toEqual(["text", "text", "flex"]);
    const pushes = line.calls.filter(
      (c) => c.endpoint === "push" && (c.body as { to: string }).to === g.userId,
    );
    expect(pushes.map((p) => p.status)).toEqual([200, 409, 200]);
  });

  it("an abandoned attempt's timer stays quiet once a newer attempt took over", async () => {
    const g = generation({ replyDeadlineMs: 100 });
    const stale = g.attempt();
    await stale.start(header(g.id));
    await stale.postChunk({ index: 0, text: "Body 0" });
    const current = g.attempt();
    await current.start({ ...header(g.id), resumed: true }); // records its own attempt id
    await new Promise((r) => setTimeout(r, 150)); // both deadlines have passed
    await until("the newer attempt's reply", () => g.texts().length === 2, { timeoutMs: 5_000 });
    expect(types(g)).toEqual(["text", "flex"]); // once: Body 0 and the Continue card
  });

  it("reports the id LINE gave every draft bubble it sent", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.start(header(g.id));
    for (let i = 0; i < 2; i++) await sink.postChunk({ index: i, text: `Body ${i}` });
    await sink.finish(summary(g.id));
    expect(g.recorded).toEqual(line.messagesTo(g.userId).map((d) => `${g.id}:${d.id}`));
  });

  it("sends nothing more once stopped: not what is queued, not the reply at the token's deadline", async () => {
    const g = generation({ replyDeadlineMs: 200 });
    const sink = g.attempt();
    await sink.start(header(g.id));
    await sink.postChunk({ index: 0, text: "Body 0" });
    await sink.stopped!({ generationId: g.id, request, chunksDelivered: 1, refunded: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(g.texts()).toEqual([]);
    expect(g.saved.pending).toEqual([]);
  });

  it("says a draft waits its turn by the free reply with Continue reading; the draft comes with the tap", async () => {
    const g = generation();
    const sink = g.attempt();
    await sink.waiting!({ generationId: g.id, request, ahead: 1 });
    expect(line.messagesTo(g.userId).map((d) => [d.via, d.message.type])).toEqual([
      ["reply", "text"],
      ["reply", "flex"],
    ]);
    await sink.start(header(g.id, "FALLBACK"));
    await sink.postChunk({ index: 0, text: "Body 0" });
    await expect(sink.finish(summary(g.id))).rejects.toBeInstanceOf(DeliveryIncomplete);
    await g.tap();
    expect(vias(g)).toEqual(["reply", "reply", "reply", "reply"]);
    expect(g.recorded).toHaveLength(2); // the draft's bubbles, not the notice
  });
});
