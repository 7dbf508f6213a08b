import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { PROMPT_VERSION } from "../../core/generate/prompt.ts";
import { registry } from "../../core/metrics.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { castVote, feedbackFor, UnknownDraft, withdrawVote } from "../../core/quality/feedback.ts";
import { JUDGE_SYSTEM } from "../../core/quality/judge.ts";
import { parseJudgeVerdict, parseQualityReport } from "../../core/quality/record.ts";
import { qualityBy, worstDrafts } from "../../core/quality/rollups.ts";
import { type ChatBody, type FakeOpenAI, houseArticle, startFakeOpenAI } from "../fakes/openai.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
};

const GOOD_VERDICT = JSON.stringify({
  coherence: { score: 9, reason: "Flows from hook to actions." },
  relevance: { score: 8, reason: "Answers the request for executives." },
  originality: { score: 8, reason: "Fresh examples." },
  style: { score: 9, reason: "House outline, no filler." },
});
const BAD_VERDICT = JSON.stringify({
  coherence: { score: 2, reason: "Jumps between ideas." },
  relevance: { score: 3, reason: "Mostly off topic." },
  originality: { score: 1, reason: "Generic." },
  style: { score: 2, reason: "Clichés throughout." },
});

let judgeAnswer = GOOD_VERDICT;
const isJudge = (body: ChatBody) => body.messages[0]?.content === JUDGE_SYSTEM;

let testApp: TestApp;
let fake: FakeOpenAI;
let app: AppContext;
let pipeline: Pipeline;
const sinks = new RecordingSinks(1_200);

function ask(text: string, user = "user-1"): ChatRequest & { conversation: string } {
  const conversation = randomBytes(6).toString("hex");
  return {
    conversation,
    platform: "CONSOLE",
    eventId: `ev-${conversation}`,
    tenant: { externalId: "workspace-q" },
    requester: { externalId: user },
    input: { kind: "text", text },
    destination: { platform: "CONSOLE", conversation },
  };
}

/** Asks for a fresh topic (no cache hit) and waits until its quality is recorded. */
async function deliver(topic: string) {
  const req = ask(
    `write an article about ${topic} ${randomBytes(3).toString("hex")} for executives, 400 words`,
  );
  await pipeline.accept(req);
  const key = `CONSOLE:${req.eventId}`;
  await until(async () => {
    const g = await app.db.prisma.generation.findUnique({ where: { requestKey: key } });
    return g?.qualityScore !== null && g?.qualityScore !== undefined && (g.judge !== null || !judging);
  });
  return app.db.prisma.generation.findUniqueOrThrow({
    where: { requestKey: key },
    include: { tokenUsage: true },
  });
}
let judging = true;

beforeAll(async () => {
  fake = await startFakeOpenAI({ reply: (body) => (isJudge(body) ? judgeAnswer : houseArticle(body)) });
  testApp = await openTestApp("ab_quality", () => ({
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.url,
    QUALITY_JUDGE_MODEL: "gpt-4o",
    QUALITY_JUDGE_SAMPLE_RATE: "1",
  }));
  app = testApp.app;
  pipeline = createPipeline(app, { workerConcurrency: 2, sinks: { CONSOLE: sinks.factory } });
  pipeline.startWorker();
});
afterAll(async () => {
  await pipeline?.close();
  await testApp?.close();
  await fake?.close();
});
beforeEach(() => {
  judgeAnswer = GOOD_VERDICT;
  judging = true;
});

describe("every delivered draft is checked and scored", () => {
  it("stores the checks, the score and the prompt version with the generation", async () => {
    const g = await deliver("AI in retail");
    expect(g.status).toBe("DELIVERED");
    expect(g.promptVersion).toBe(PROMPT_VERSION);
    expect(PROMPT_VERSION).toMatch(/^house@[0-9a-f]{10}$/);
    const report = parseQualityReport(g.qualityChecks);
    expect(report?.score).toBe(g.qualityScore);
    expect(report?.checks.map((c) => c.name)).toEqual([
      "length",
      "structure",
      "repetition",
      "overlap",
      "language",
      "keywords",
      "style",
    ]);
    expect(report?.checks.find((c) => c.name === "language")?.passed).toBe(true);
    const metrics = await registry.getSingleMetricAsString("article_quality_score");
    expect(metrics).toMatch(/article_quality_score_count\{platform="console"\} [1-9]/);
  });
});

describe("the LLM judge", () => {
  it("records a good verdict with its reasons, as its own operation in the cost records", async () => {
    const g = await deliver("smart factories");
    const verdict = parseJudgeVerdict(g.judge);
    expect(verdict).toEqual({
      status: "scored",
      model: "gpt-4o",
      mean: 8.5,
      scores: JSON.parse(GOOD_VERDICT),
    });
    const judged = g.tokenUsage.filter((u) => u.operation === "JUDGE");
    expect(judged).toHaveLength(1);
    expect(judged[0]?.model).toBe("gpt-4o");
    expect(judged[0]?.costUsd.toNumber()).toBeGreaterThan(0);
    // The judge is the operator's cost: the article's own cost holds the chat and embeddings only.
    const chat = g.tokenUsage.filter((u) => u.operation !== "JUDGE");
    expect(g.costUsd.toString()).toBe(
      chat.reduce((s, u) => s.add(u.costUsd), chat[0]!.costUsd.mul(0)).toString(),
    );
    const rollup = await app.db.prisma.dailyModelUsage.findUnique({
      where: { day_model_operation: { day: g.day, model: "gpt-4o", operation: "JUDGE" } },
    });
    expect(rollup?.calls).toBeGreaterThanOrEqual(1);
  });

  it("records a bad verdict as a low score", async () => {
    judgeAnswer = BAD_VERDICT;
    const g = await deliver("digital banking");
    const verdict = parseJudgeVerdict(g.judge);
    expect(verdict?.status === "scored" && verdict.mean).toBe(2);
  });

  it("records junk as unscored, never as a score, and still counts its tokens", async () => {
    judgeAnswer = "Sure! I'd rate this article a solid 8 out of 10 overall.";
    const junk = await deliver("cloud costs");
    expect(parseJudgeVerdict(junk.judge)).toEqual({
      status: "unscored",
      model: "gpt-4o",
      reason: "unparseable",
    });
    expect(junk.tokenUsage.filter((u) => u.operation === "JUDGE")).toHaveLength(1);

    judgeAnswer = JSON.stringify({
      ...JSON.parse(GOOD_VERDICT),
      style: { score: 11, reason: "off the scale" },
    });
    const outOfRange = await deliver("green logistics");
    expect(parseJudgeVerdict(outOfRange.judge)?.status).toBe("unscored");
  });
});

describe("people's feedback", () => {
  it("counts one vote per person, changeable, with a comment on a 👎", async () => {
    judging = false;
    const g = await deliver("supply chains");
    const alice = { generationId: g.id, platform: "SLACK" as const, voterId: "U-alice" };
    const bob = { generationId: g.id, platform: "LINE" as const, voterId: "U-bob" };

    expect(await castVote(app.db, { ...alice, vote: "UP" })).toEqual({ outcome: "new", up: 1, down: 0 });
    expect(await castVote(app.db, { ...alice, vote: "UP" })).toEqual({ outcome: "same", up: 1, down: 0 });
    expect(await castVote(app.db, { ...bob, vote: "UP" })).toEqual({ outcome: "new", up: 2, down: 0 });
    expect(await castVote(app.db, { ...alice, vote: "DOWN", comment: "  Too generic  " })).toEqual({
      outcome: "changed",
      up: 1,
      down: 1,
    });
    // A second click of the same 👎 with a new comment updates the comment, not the count.
    expect(await castVote(app.db, { ...alice, vote: "DOWN", comment: "No examples" })).toEqual({
      outcome: "same",
      up: 1,
      down: 1,
    });
    const votes = await feedbackFor(app.db, g.id);
    expect(votes.map((v) => [v.platform, v.voterId, v.vote, v.comment]).sort()).toEqual([
      ["LINE", "U-bob", "UP", null],
      ["SLACK", "U-alice", "DOWN", "No examples"],
    ]);
    // Back to 👍: the comment belonged to the 👎 and goes with it.
    await castVote(app.db, { ...alice, vote: "UP", comment: "ignored" });
    expect((await feedbackFor(app.db, g.id)).find((v) => v.voterId === "U-alice")?.comment).toBeNull();

    expect(await withdrawVote(app.db, bob)).toBe(true);
    expect(await withdrawVote(app.db, bob)).toBe(false);
    const after = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: g.id } });
    expect([after.votesUp, after.votesDown]).toEqual([1, 0]);
  });

  it("counts concurrent clicks of one person once", async () => {
    judging = false;
    const g = await deliver("retail media");
    const me = { generationId: g.id, platform: "SLACK" as const, voterId: "U-clicker" };
    await Promise.all(Array.from({ length: 5 }, () => castVote(app.db, { ...me, vote: "DOWN" })));
    const after = await app.db.prisma.generation.findUniqueOrThrow({ where: { id: g.id } });
    expect([after.votesUp, after.votesDown]).toEqual([0, 1]);
    expect(await app.db.prisma.draftFeedback.count({ where: { generationId: g.id } })).toBe(1);
  });

  it("refuses a vote on a draft that does not exist", async () => {
    await expect(
      castVote(app.db, { generationId: "nope", platform: "SLACK", voterId: "U1", vote: "UP" }),
    ).rejects.toBeInstanceOf(UnknownDraft);
  });

  it("rolls score, judge and 👍 rate up by model, prompt version and language", async () => {
    const since = new Date(Date.now() - 3_600_000);
    const byVersion = await qualityBy(app.db, "promptVersion", since);
    const mine = byVersion.find((r) => r.key === PROMPT_VERSION);
    const all = await app.db.prisma.generation.findMany({
      where: { status: "DELIVERED", promptVersion: PROMPT_VERSION },
    });
    expect(mine?.drafts).toBe(all.length);
    expect(mine?.up).toBe(all.reduce((s, g) => s + g.votesUp, 0));
    expect(mine?.down).toBe(all.reduce((s, g) => s + g.votesDown, 0));
    const scores = all.map((g) => g.qualityScore ?? 0);
    expect(mine?.meanScore).toBe(Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10);
    const judged = all.filter((g) => parseJudgeVerdict(g.judge)?.status === "scored").length;
    expect(mine?.judged).toBe(judged);
    expect((await qualityBy(app.db, "language", since)).map((r) => r.key)).toEqual(["en"]);
    expect((await qualityBy(app.db, "tier", since)).length).toBeGreaterThan(0);
    const worst = await worstDrafts(app.db, since, 3);
    expect(worst.map((w) => w.qualityScore)).toEqual(
      [...worst.map((w) => w.qualityScore)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
  });
});
