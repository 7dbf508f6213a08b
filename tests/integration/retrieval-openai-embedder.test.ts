import { encode } from "gpt-tokenizer/model/gpt-4o";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createRetrieval } from "../../core/retrieval/index.ts";
import { OpenAIEmbedder } from "../../core/retrieval/openai-embedder.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { startFakeQdrant } from "../fakes/qdrant.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake?.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.set({ failure: null });
});

const embedder = (over: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}) =>
  new OpenAIEmbedder({ apiKey: fake.apiKey, baseUrl: fake.url, model: "text-embedding-3-small", ...over });
const inputs = (body: unknown) => (body as { input: string[] }).input;

describe("OpenAIEmbedder against the fake OpenAI API", () => {
  it("sends at most 96 inputs per request, keeps the order, and bills usage.prompt_tokens", async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `Passage ${i} on retail and banking trends`);
    const e = embedder();
    expect(e.dimensions).toBe(1536);
    const { vectors, tokens } = await e.embed(texts);
    expect(fake.requests.map((r) => inputs(r.body).length)).toEqual([96, 96, 8]);
    expect(vectors).toHaveLength(200);
    expect(vectors[150]).toEqual((await e.embed([texts[150]!])).vectors[0]);
    expect(tokens).toBe(texts.reduce((n, t) => n + encode(t).length, 0));
  });

  it("retries a 5xx and a request that hangs past its timeout", async () => {
    fake.set({ failure: { kind: "status", status: 500, times: 1, only: "embeddings" } });
    expect((await embedder().embed(["AI in retail"])).vectors[0]).toHaveLength(1536);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 200]);

    fake.requests.length = 0;
    fake.set({ failure: { kind: "hang", times: 1, only: "embeddings" } });
    const e = embedder({ timeoutMs: 300, maxRetries: 1 });
    expect((await e.embed(["AI in retail"])).tokens).toBe(encode("AI in retail").length);
    expect(fake.requests).toHaveLength(2);

    fake.set({ failure: { kind: "status", status: 503, only: "embeddings" } });
    await expect(embedder({ maxRetries: 0 }).embed(["x"])).rejects.toThrow(/503/);
  });

  it("gives an empty text the zero vector without asking the API, which rejects empty input", async () => {
    const { vectors, tokens } = await embedder().embed(["", "  ", "AI"]);
    expect(vectors[0]!.every((x) => x === 0)).toBe(true);
    expect(vectors[1]).toHaveLength(1536);
    expect(inputs(fake.requests[0]!.body)).toEqual(["AI"]);
    expect(tokens).toBe(encode("AI").length);
  });
});

describe("retrieval configured with OPENAI_API_KEY", () => {
  let opened: OpenedTestDatabase;
  let app: AppContext;
  beforeAll(async () => {
    opened = await openTestDatabase("postgres");
    await opened.db.migrate();
    const config = loadConfig({ OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.url });
    app = { config, logger: createLogger("silent"), db: opened.db, redis: null };
  });
  afterAll(() => opened?.cleanup());

  it("pays for each passage and query once, across processes, and reports what it paid", async () => {
    const retrieval = createRetrieval(app);
    expect(retrieval.embedder.model).toBe("text-embedding-3-small");
    const s = await retrieval.ingestFolder("data/corpus");
    expect(s.added).toBe(20);
    const billed = fake.requests.reduce(
      (n, r) => n + inputs(r.body).reduce((m, t) => m + encode(t).length, 0),
      0,
    );
    expect(s.embeddingTokens).toBe(billed);
    expect(
      await opened.db.prisma.embeddingCacheEntry.count({ where: { model: "text-embedding-3-small" } }),
    ).toBe(s.chunks);

    const ask = {
      topic: "AI for store shelves",
      industry: "retail",
      audience: "executives",
      targetWords: 800,
      keywords: [],
      language: "en" as const,
      tone: "executive" as const,
    };
    const first = await retrieval.retrieve(ask);
    expect(first.embeddingTokens).toBe(encode("AI for store shelves retail").length);
    expect(first.embeddingModel).toBe("text-embedding-3-small");
    const requests = fake.requests.length;
    expect((await retrieval.retrieve(ask)).embeddingTokens).toBe(0);
    await retrieval.embedder.settled(); // the shared table is written behind the first answer
    const other = createRetrieval(app); // a second worker process
    expect((await other.retrieve(ask)).embeddingTokens).toBe(0);
    expect(fake.requests).toHaveLength(requests);
    expect(other.embeddingCacheStats()).toMatchObject({ databaseHits: 1, misses: 0, tokensSpent: 0 });
  });

  it("drafts without references when the embeddings API is down, instead of failing", async () => {
    fake.set({ failure: { kind: "status", status: 500, only: "embeddings" } });
    const retrieval = createRetrieval(app, { embedder: embedder({ maxRetries: 0 }) });
    const res = await retrieval.retrieve({
      topic: "a topic nobody asked before",
      industry: null,
      audience: "executives",
      targetWords: 800,
      keywords: [],
      language: "en",
      tone: "executive",
    });
    expect(res).toEqual({ sources: [], embeddingTokens: 0, embeddingModel: "text-embedding-3-small" });
  });
});

describe("an embedding model of unknown width behind OPENAI_BASE_URL", () => {
  it("asks the model for its width once, bills that probe, and creates the Qdrant collection to match", async () => {
    const e = embedder({ model: "acme-embed-large" }); // the fake answers 3,072 wide for "large" models
    expect(await e.resolveDimensions()).toBe(3072);
    expect(await e.resolveDimensions()).toBe(3072);
    expect(fake.requests).toHaveLength(1);
    expect((await e.embed(["AI"])).tokens).toBe(encode("dimensions").length + encode("AI").length);
    expect((await e.embed(["AI"])).tokens).toBe(encode("AI").length);

    const qdrant = await startFakeQdrant();
    const opened = await openTestDatabase("pglite");
    try {
      await opened.db.migrate();
      const config = loadConfig({
        OPENAI_API_KEY: fake.apiKey,
        OPENAI_BASE_URL: fake.url,
        OPENAI_EMBEDDING_MODEL: "acme-embed-large",
        QDRANT_URL: qdrant.url,
      });
      const retrieval = createRetrieval({
        config,
        logger: createLogger("silent"),
        db: opened.db,
        redis: null,
      });
      const s = await retrieval.ingestFolder("data/corpus");
      expect(s.failed).toBe(0);
      const create = qdrant.requests.find(
        (r) => r.method === "PUT" && r.path === "/collections/article_corpus_acme-embed-large",
      );
      expect(create?.body).toEqual({ vectors: { size: 3072, distance: "Cosine" } });
      expect(await retrieval.store.count()).toBe(s.chunks);
    } finally {
      await opened.cleanup();
      await qdrant.close();
    }
  });
});
