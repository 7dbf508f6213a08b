import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createRetrieval } from "../../core/retrieval/index.ts";
import { pointId, QdrantVectorStore } from "../../core/retrieval/qdrant-store.ts";
import type { VectorRecord } from "../../core/retrieval/types.ts";
import { type FakeQdrant, startFakeQdrant } from "../fakes/qdrant.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

// The real @qdrant/js-client-rest against a local fake of Qdrant's REST API (no Qdrant here).
let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(() => fake?.close());
beforeEach(() => {
  fake.requests.length = 0;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const calls = () =>
  fake.requests
    .filter((r) => r.path !== "/")
    .map((r) => `${r.method} ${r.path.replace(/^\/collections\/[^/]+/, "")}`);
const unit = (i: number, d = 8) => Array.from({ length: d }, (_, j) => (j === i ? 1 : 0));
const record = (id: string, documentId: string, industry: string | null, vector: number[]): VectorRecord => ({
  id,
  documentId,
  title: `Title of ${documentId}`,
  text: `Passage ${id}`,
  industry,
  language: "en",
  vector,
});
const store = (collection: string, dimensions = 8) =>
  new QdrantVectorStore({ url: fake.url, collection, model: "test-model", dimensions });

describe("QdrantVectorStore through the official client", () => {
  it("creates the collection (Cosine, the embedder's width) and keyword payload indexes once", async () => {
    const s = store("first-use");
    expect(await s.count()).toBe(0);
    await s.upsert([record("c1", "d1", "retail", unit(0))]);
    expect(await s.count()).toBe(1);
    expect(calls()).toEqual([
      "GET /exists",
      "PUT ",
      "PUT /index",
      "PUT /index",
      "PUT /index",
      "POST /points/count",
      "PUT /points",
      "POST /points/count",
    ]);
    const [create, ...indexes] = fake.requests.filter(
      (r) => r.method === "PUT" && !r.path.endsWith("/points"),
    );
    expect(create!.body).toEqual({ vectors: { size: 8, distance: "Cosine" } });
    expect(indexes.map((r) => r.body)).toEqual(
      ["industry", "language", "documentId"].map((field_name) => ({ field_name, field_schema: "keyword" })),
    );
    expect(indexes.every((r) => r.query.wait === "true")).toBe(true);

    fake.requests.length = 0;
    const again = store("first-use"); // another process: the collection and its indexes exist
    expect(await again.count()).toBe(1);
    expect(calls()).toEqual(["GET /exists", "GET ", "POST /points/count"]);
  });

  it("upserts points with UUID ids and the payload, and searches with a filter via points/query", async () => {
    const s = store("search");
    await s.upsert([
      record("c1", "d1", "retail", [1, 0.1, 0, 0, 0, 0, 0, 0]),
      record("c2", "d1", "retail", [0.2, 1, 0, 0, 0, 0, 0, 0]),
      record("c3", "d2", "banking", [1, 0, 0, 0, 0, 0, 0, 0.05]),
      record("c4", "d3", null, [0, 0, 1, 0, 0, 0, 0, 0]),
    ]);
    const upsert = fake.requests.find((r) => r.path.endsWith("/points"))!;
    expect(upsert.query.wait).toBe("true");
    const points = fake.points("search");
    expect(points.every((p) => typeof p.id === "string" && UUID.test(p.id))).toBe(true);
    expect(points.find((p) => p.id === pointId("c3"))!.payload).toEqual({
      documentId: "d2",
      chunkId: "c3",
      title: "Title of d2",
      text: "Passage c3",
      industry: "banking",
      language: "en",
    });
    expect(pointId("c3")).toBe(pointId("c3"));

    const all = await s.search(unit(0), { limit: 2 });
    expect(all.map((h) => h.excerpt)).toEqual(["Passage c3", "Passage c1"]);
    expect(all[0]).toEqual({
      documentId: "d2",
      title: "Title of d2",
      excerpt: "Passage c3",
      score: expect.closeTo(0.9988, 3),
      industry: "banking",
    });
    const retail = await s.search(unit(0), { limit: 5, industry: "retail" });
    expect(retail.map((h) => h.excerpt)).toEqual(["Passage c1", "Passage c2"]);
    expect(await s.search(unit(0), { limit: 5, industry: "retail", language: "th" })).toEqual([]);
    const query = fake.requests.filter((r) => r.path.endsWith("/points/query")).at(-1)!;
    expect(query.body).toMatchObject({
      query: unit(0),
      limit: 5,
      with_payload: true,
      filter: {
        must: [
          { key: "industry", match: { value: "retail" } },
          { key: "language", match: { value: "th" } },
        ],
      },
    });
  });

  it("deletes a document's points by a payload filter", async () => {
    const s = store("delete");
    await s.upsert([
      record("a", "keep", "retail", unit(0)),
      record("b", "drop", "retail", unit(1)),
      record("c", "drop", null, unit(2)),
    ]);
    await s.deleteDocument("drop");
    expect(await s.count()).toBe(1);
    const del = fake.requests.find((r) => r.path.endsWith("/points/delete"))!;
    expect(del.query.wait).toBe("true");
    expect(del.body).toEqual({ filter: { must: [{ key: "documentId", match: { value: "drop" } }] } });
    await s.upsert([record("a", "keep", "energy", unit(3))]); // same chunk id: overwritten, not duplicated
    expect(await s.count()).toBe(1);
    expect((await s.search(unit(3), { limit: 1, industry: "energy" }))[0]!.score).toBeCloseTo(1, 5);
  });

  it("survives two processes creating the collection at once", async () => {
    const [a, b] = [store("race"), store("race")];
    await Promise.all([a.count(), b.count()]);
    expect(calls().filter((c) => c === "PUT ")).toHaveLength(2); // one of them got 409 and carried on
    await a.upsert([record("x", "d", null, unit(0))]);
    expect(await b.count()).toBe(1);
  });

  it("refuses a collection of another width, and words Qdrant's errors", async () => {
    await store("width").count();
    await expect(store("width", 16).count()).rejects.toThrow(
      /holds 8-dimensional vectors but the embedder test-model makes 16/,
    );
    const s = store("errors");
    await s.count();
    await expect(s.upsert([record("bad", "d", null, [1, 2, 3])])).rejects.toThrow(
      /Qdrant upsert points failed \(400\): Wrong input: Vector dimension error: expected dim: 8, got 3/,
    );
    fake.failNext(503);
    await expect(s.search(unit(0), { limit: 1 })).rejects.toThrow(/Qdrant query points failed \(503\)/);
    expect(await s.search(unit(0), { limit: 1 })).toEqual([]);
  });

  it("sends the API key as Qdrant expects", async () => {
    const secured = await startFakeQdrant({ apiKey: "qd-secret" });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined); // "Api key is used with unsecure connection"
    try {
      const s = new QdrantVectorStore({ url: secured.url, apiKey: "qd-secret", model: "m", dimensions: 4 });
      expect(await s.count()).toBe(0);
      const wrong = new QdrantVectorStore({ url: secured.url, apiKey: "nope", model: "m", dimensions: 4 });
      await expect(wrong.count()).rejects.toThrow(/\(401\): Must provide an API key/);
    } finally {
      warn.mockRestore();
      await secured.close();
    }
  });
});

describe("retrieval configured with QDRANT_URL", () => {
  let opened: OpenedTestDatabase;
  let dataDir: string;
  let app: AppContext;
  beforeAll(async () => {
    opened = await openTestDatabase("pglite");
    await opened.db.migrate();
    dataDir = await mkdtemp(path.join(tmpdir(), "ab-qdrant-"));
    app = {
      config: loadConfig({ QDRANT_URL: fake.url, DATA_DIR: dataDir }),
      logger: createLogger("silent"),
      db: opened.db,
      redis: null,
    };
  });
  afterAll(async () => {
    await opened?.cleanup();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("ingests into Qdrant, searches it, and refills a new empty cluster from the database", async () => {
    const retrieval = createRetrieval(app);
    expect(retrieval.store).toBeInstanceOf(QdrantVectorStore);
    const first = await retrieval.ingestFolder("data/corpus");
    expect(first).toMatchObject({ added: 20, failed: 0 });
    expect(fake.points("article_corpus_local-hash-512")).toHaveLength(first.chunks);
    const res = await retrieval.retrieve({
      topic: "AI for store shelves and inventory",
      industry: "retail",
      audience: "executives",
      targetWords: 800,
      keywords: [],
      language: "en",
      tone: "executive",
    });
    expect(res.sources[0]!.industry).toBe("retail");
    expect(res.sources[0]!.title).toMatch(/Retail|Commerce/);
    expect((await retrieval.ingestFolder("data/corpus")).unchanged).toBe(20);

    // A new, empty Qdrant (say, a rebuilt cluster): re-running ingest refills it without embedding again.
    const fresh = await startFakeQdrant();
    try {
      const rebuilt = createRetrieval({
        ...app,
        config: loadConfig({ QDRANT_URL: fresh.url, DATA_DIR: dataDir }),
      });
      const again = await rebuilt.ingestFolder("data/corpus");
      expect(again).toMatchObject({ unchanged: 20, embeddingTokens: 0, resynced: first.chunks });
      expect(rebuilt.embeddingCacheStats().misses).toBe(0);
      expect(await rebuilt.store.count()).toBe(first.chunks);
    } finally {
      await fresh.close();
    }
  });
});
