import { decode, encode } from "gpt-tokenizer/model/gpt-4o";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { CircuitBreaker } from "../../core/generate/circuit.ts";
import { createGenerator, type GeneratorTuning } from "../../core/generate/index.ts";
import { OfflineComposer } from "../../core/generate/offline.ts";
import { OpenAIGenerator } from "../../core/generate/openai.ts";
import { buildPrompt, continuePrompt } from "../../core/generate/prompt.ts";
import { GenerationError, type GenerationEvent, type Generator } from "../../core/generate/types.ts";
import { createLogger } from "../../core/logger.ts";
import { type ChatBody, type FakeOpenAI, houseArticle, startFakeOpenAI } from "../fakes/openai.ts";

const request: ArticleRequest = {
  topic: "AI in retail",
  industry: "retail",
  audience: "executives",
  targetWords: 400,
  keywords: ["inventory"],
  language: "en",
  tone: "executive",
};
const prompt = buildPrompt(request, [
  {
    documentId: "a",
    title: "Forecasting demand",
    excerpt: "Leaders forecast demand per store and cut excess stock by 15 to 20 percent.",
    score: 0.9,
    industry: "retail",
  },
]);
const logger = createLogger("silent");
// Small timeouts keep the suite quick; nothing below asserts how long anything took.
const fast: GeneratorTuning = {
  firstTokenTimeoutMs: 200,
  idleTimeoutMs: 200,
  maxAttempts: 3,
  backoff: { baseDelayMs: 5, maxDelayMs: 20 },
  circuit: { failureThreshold: 100, windowMs: 60_000, coolDownMs: 60_000 },
};

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.set({ reply: null, failure: null, omitUsage: false, tokensPerSecond: 0, firstTokenLatencyMs: 0 });
});

function generator(tuning: GeneratorTuning = {}, apiKey = fake.apiKey): OpenAIGenerator {
  return new OpenAIGenerator({ ...fast, ...tuning, apiKey, baseUrl: fake.url, model: "gpt-4o-mini", logger });
}

async function run(
  gen: Generator,
  opts: { signal?: AbortSignal; model?: string; onDelta?: () => Promise<void> } = {},
) {
  const events: GenerationEvent[] = [];
  let error: unknown;
  try {
    for await (const e of gen.stream(prompt, opts)) {
      events.push(e);
      if (e.type === "delta") await opts.onDelta?.();
    }
  } catch (err) {
    error = err;
  }
  const text = events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
  return { events, text, error, usage: events.find((e) => e.type === "usage") };
}

const chatRequests = () => fake.requests.filter((r) => r.path === "/v1/chat/completions");

describe("OpenAIGenerator against the fake OpenAI server", () => {
  it("streams deltas in order that join to the fake's text, then the provider's usage", async () => {
    const { events, text, error, usage } = await run(generator());
    expect(error).toBeUndefined();
    const body = chatRequests()[0]!.body as ChatBody;
    const expected = houseArticle(body);
    expect(text).toBe(expected);
    // Streamed, not one blob: a delta per network read (many tokens each when they arrive together).
    expect(events.filter((e) => e.type === "delta").length).toBeGreaterThan(1);
    expect(events.at(-1)).toBe(usage);
    expect(usage).toEqual({
      type: "usage",
      model: "gpt-4o-mini",
      inputTokens: prompt.promptTokens,
      outputTokens: encode(expected).length,
    });
    expect(body).toMatchObject({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 980,
    });
    expect(body.messages).toEqual(prompt.messages);
  });

  it("continues a partly delivered draft instead of starting over", async () => {
    const whole = (await run(generator())).text;
    const delivered = whole.slice(0, 200);
    fake.requests.length = 0;
    const events: GenerationEvent[] = [];
    for await (const e of generator().stream(continuePrompt(prompt, delivered))) events.push(e);
    const rest = events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
    expect(delivered + rest).toBe(whole);
    expect((chatRequests()[0]!.body as ChatBody).messages.map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
    expect(events.at(-1)).toMatchObject({
      inputTokens: continuePrompt(prompt, delivered).promptTokens,
      outputTokens: encode(rest).length,
    });
  });

  it("uses the model asked for in the call", async () => {
    const { usage } = await run(generator(), { model: "ft:gpt-4o-mini-2024-07-18:acme::abc123" });
    expect((chatRequests()[0]!.body as ChatBody).model).toBe("ft:gpt-4o-mini-2024-07-18:acme::abc123");
    expect(usage).toMatchObject({ model: "ft:gpt-4o-mini-2024-07-18:acme::abc123" });
  });

  it("estimates usage with the tokenizer, and says so, when the server sends none", async () => {
    fake.set({ omitUsage: true, reply: "# Title\n\nA short draft." });
    const { usage } = await run(generator());
    expect(usage).toEqual({
      type: "usage",
      model: "gpt-4o-mini",
      inputTokens: prompt.promptTokens,
      outputTokens: encode("# Title\n\nA short draft.").length,
      estimated: true,
    });
  });

  it("retries a 429 after the provider's retry-after and succeeds", async () => {
    fake.set({ reply: "# Done", failure: { kind: "status", status: 429, retryAfterMs: 30, times: 1 } });
    const { text, error } = await run(generator());
    expect(error).toBeUndefined();
    expect(text).toBe("# Done");
    expect(chatRequests().map((r) => r.status)).toEqual([429, 200]);
  });

  it("fails fast with rate_limited when retry-after is longer than it will wait in-line", async () => {
    fake.set({ failure: { kind: "status", status: 429, retryAfterMs: 60_000 } });
    const { error } = await run(generator({ maxRetryAfterMs: 1_000 }));
    expect(error).toBeInstanceOf(GenerationError);
    expect(error).toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: 60_000 });
    expect(chatRequests()).toHaveLength(1);
  });

  it("gives up with unavailable after the retry budget when the server keeps failing", async () => {
    fake.set({ failure: { kind: "status", status: 500 } });
    const { error, events } = await run(generator());
    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: "unavailable", retryable: true, status: 500 });
    expect(chatRequests()).toHaveLength(3);
  });

  it("times out a server that never answers", async () => {
    fake.set({ failure: { kind: "hang" } });
    const { error } = await run(generator({ maxAttempts: 2 }));
    expect(error).toMatchObject({ code: "timeout", retryable: true });
    expect(chatRequests()).toHaveLength(2);
  });

  it("does not retry once text went out when the stream is cut", async () => {
    const reply = "Retail leaders forecast demand per store and cut excess stock by a fifth.";
    fake.set({ reply, failure: { kind: "cut", afterTokens: 5 } });
    const { error, text } = await run(generator());
    // Exactly the five tokens the fake sent before it dropped the connection, none lost or doubled.
    expect(encode(reply).length).toBeGreaterThan(5);
    expect(text).toBe(decode(encode(reply).slice(0, 5)));
    expect(error).toMatchObject({ code: "unavailable", retryable: false });
    expect(chatRequests()).toHaveLength(1);
  });

  it("does not retry once text went out when the stream stalls", async () => {
    fake.set({ tokensPerSecond: 2 }); // 500 ms between tokens, idle timeout 200 ms
    const { error, text } = await run(generator());
    expect(text.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: "timeout", retryable: false });
    expect(chatRequests()).toHaveLength(1);
  });

  it("does not count a slow consumer as an idle provider", async () => {
    fake.set({ reply: "one two three four" });
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 120));
    const { error, text } = await run(generator({ idleTimeoutMs: 100 }), { onDelta: slow });
    expect(error).toBeUndefined();
    expect(text).toBe("one two three four");
  });

  it("maps a wrong key to auth and does not retry it", async () => {
    const { error } = await run(generator({}, "sk-wrong-key-1234"));
    expect(error).toMatchObject({ code: "auth", retryable: false, status: 401 });
    expect((error as GenerationError).message).not.toMatch(/Incorrect API key|sk-/);
    expect((error as GenerationError).detail).toMatch(/Incorrect API key/);
    expect(chatRequests()).toHaveLength(1);
  });

  it("rethrows the caller's abort without blaming the provider", async () => {
    fake.set({ tokensPerSecond: 20 });
    const gen = generator({ idleTimeoutMs: 5_000, firstTokenTimeoutMs: 5_000 });
    const controller = new AbortController();
    let deltas = 0;
    const { error } = await run(gen, {
      signal: controller.signal,
      onDelta: async () => void (++deltas === 3 && controller.abort()),
    });
    expect(error).not.toBeInstanceOf(GenerationError);
    expect((error as Error).name).toBe("AbortError");
    expect(gen.circuit.state).toBe("closed");

    fake.set({ failure: { kind: "hang" } }); // aborted before any answer: still the caller's AbortError
    const early = new AbortController();
    setTimeout(() => early.abort(), 20);
    expect(((await run(gen, { signal: early.signal })).error as Error).name).toBe("AbortError");
  });

  describe("circuit breaker", () => {
    it("opens after N failures, then fails fast without reaching the server", async () => {
      let now = 0;
      const circuit = new CircuitBreaker({
        failureThreshold: 3,
        windowMs: 60_000,
        coolDownMs: 10_000,
        now: () => now,
      });
      const gen = generator({ circuit, maxAttempts: 1 });
      fake.set({ failure: { kind: "status", status: 503 } });
      for (let i = 0; i < 3; i++) expect((await run(gen)).error).toMatchObject({ code: "unavailable" });
      expect(circuit.state).toBe("open");
      expect(chatRequests()).toHaveLength(3);

      const blocked = await run(gen);
      expect(blocked.error).toMatchObject({ code: "circuit_open", retryable: true, retryAfterMs: 10_000 });
      expect(chatRequests()).toHaveLength(3);

      // After the cool-down one trial goes through; the provider is back, so the circuit closes.
      fake.set({ failure: null, reply: "# Back" });
      now += 10_000;
      expect(circuit.state).toBe("half_open");
      const trial = await run(gen);
      expect(trial.text).toBe("# Back");
      expect(circuit.state).toBe("closed");
      expect(chatRequests()).toHaveLength(4);
    });

    it("stops retrying mid-call when the circuit opens, and re-opens on a failed trial", async () => {
      let now = 0;
      const circuit = new CircuitBreaker({
        failureThreshold: 2,
        windowMs: 60_000,
        coolDownMs: 10_000,
        now: () => now,
      });
      const gen = generator({ circuit, maxAttempts: 5 });
      fake.set({ failure: { kind: "status", status: 500 } });
      expect((await run(gen)).error).toMatchObject({ code: "circuit_open" });
      expect(chatRequests()).toHaveLength(2);
      now += 10_000;
      expect((await run(gen)).error).toMatchObject({ code: "circuit_open" }); // trial failed, no second try
      expect(chatRequests()).toHaveLength(3);
      expect(circuit.state).toBe("open");
    });

    it("is not opened by requests the provider rejects as bad", async () => {
      const circuit = new CircuitBreaker({ failureThreshold: 1, windowMs: 60_000, coolDownMs: 60_000 });
      expect((await run(generator({ circuit }, "sk-wrong"))).error).toMatchObject({ code: "auth" });
      expect(circuit.state).toBe("closed");
    });
  });
});

describe("createGenerator", () => {
  it("chooses OpenAI when a key is set, and the offline composer otherwise", async () => {
    const online = createGenerator(
      loadConfig({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.url, OPENAI_MODEL: "gpt-4o" }),
      logger,
      fast,
    );
    expect(online).toBeInstanceOf(OpenAIGenerator);
    expect(online).toMatchObject({ model: "gpt-4o", offline: false });
    fake.set({ reply: "# Hello" });
    expect((await run(online)).text).toBe("# Hello");

    const offline = createGenerator(loadConfig({}), logger);
    expect(offline).toBeInstanceOf(OfflineComposer);
    expect(offline).toMatchObject({ model: "offline-composer", offline: true });
  });
});
