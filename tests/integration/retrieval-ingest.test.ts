import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { createLogger } from "../../core/logger.ts";
import { textHash } from "../../core/retrieval/cached-embedder.ts";
import { EmbeddedVectorStore } from "../../core/retrieval/embedded-store.ts";
import { HashingEmbedder } from "../../core/retrieval/hashing-embedder.ts";
import { createRetrieval, type Embedder, type Retrieval } from "../../core/retrieval/index.ts";
import { countTokens } from "../../core/text/tokens.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

/** The local embedder behind a counter, billing a token per word so spent tokens are visible. */
class CountingEmbedder implements Embedder {
  private readonly hashing = new HashingEmbedder();
  readonly dimensions = 512;
  texts: string[] = [];
  constructor(readonly model = "counting-hash-512") {}
  async embed(texts: string[]) {
    this.texts.push(...texts);
    return {
      vectors: texts.map((t) => this.hashing.vector(t)),
      tokens: texts.reduce((n, t) => n + t.split(/\s+/).length, 0),
    };
  }
}

const request = (over: Partial<ArticleRequest>): ArticleRequest => ({
  topic: "",
  industry: null,
  audience: "executives",
  targetWords: 800,
  keywords: [],
  language: "en",
  tone: "executive",
  ...over,
});

describe.each(["postgres", "pglite"] as const)("retrieval on %s, embedded index", (kind) => {
  let opened: OpenedTestDatabase;
  let app: AppContext;
  let folder: string;
  let counting: CountingEmbedder;
  let retrieval: Retrieval;
  // The hashing embedder's score floor: the counting wrapper is not recognised as the local model.
  const make = (embedder: Embedder) =>
    createRetrieval(app, { embedder, persistEmbeddings: true, minScore: 0.15 });

  beforeAll(async () => {
    opened = await openTestDatabase(kind);
    await opened.db.migrate();
    app = { config: loadConfig({}), logger: createLogger("silent"), db: opened.db, redis: null };
    folder = await mkdtemp(path.join(tmpdir(), "ab-corpus-"));
    await cp("data/corpus", folder, { recursive: true });
    counting = new CountingEmbedder();
    retrieval = make(counting);
  });
  afterAll(async () => {
    await opened?.cleanup();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it("ingests the sample corpus into the tables, the cache and the index", async () => {
    const seen: string[] = [];
    const s = await retrieval.ingestFolder(folder, { onFile: (o) => seen.push(`${o.status} ${o.source}`) });
    expect(s).toMatchObject({ added: 20, updated: 0, unchanged: 0, failed: 0, resynced: 0 });
    expect(seen).toHaveLength(20);
    const { prisma } = opened.db;
    expect(await prisma.corpusDocument.count()).toBe(20);
    const chunks = await prisma.corpusChunk.findMany({
      select: { embedding: true, embeddingModel: true, language: true },
    });
    expect(chunks).toHaveLength(s.chunks);
    expect(chunks.every((c) => c.embedding.length === 512 && c.embeddingModel === "counting-hash-512")).toBe(
      true,
    );
    expect(chunks.filter((c) => c.language === "th").length).toBeGreaterThanOrEqual(6 * 2);
    expect(await retrieval.store.count()).toBe(s.chunks);
    expect(counting.texts).toHaveLength(s.chunks);
    expect(s.embeddingTokens).toBeGreaterThan(0);
    expect(await prisma.embeddingCacheEntry.count({ where: { model: "counting-hash-512" } })).toBe(s.chunks);
    const doc = await prisma.corpusDocument.findUniqueOrThrow({
      where: { source: "th-retail-omnichannel.md" },
    });
    expect(doc).toMatchObject({ industry: "retail", language: "th", chunkCount: 3 });
  });

  it("does nothing when the same files are ingested again", async () => {
    const before = await opened.db.prisma.corpusChunk.findMany({
      select: { id: true },
      orderBy: { id: "asc" },
    });
    const embedded = counting.texts.length;
    const s = await retrieval.ingestFolder(folder);
    expect(s).toMatchObject({
      added: 0,
      updated: 0,
      unchanged: 20,
      chunks: 0,
      embeddingTokens: 0,
      resynced: 0,
    });
    expect(counting.texts).toHaveLength(embedded);
    expect(
      await opened.db.prisma.corpusChunk.findMany({ select: { id: true }, orderBy: { id: "asc" } }),
    ).toEqual(before);
  });

  it("replaces a changed file's passages, embedding only the new text", async () => {
    const file = path.join(folder, "retail-unified-commerce.md");
    const { prisma } = opened.db;
    const doc = await prisma.corpusDocument.findUniqueOrThrow({
      where: { source: "retail-unified-commerce.md" },
      include: { chunks: true },
    });
    await writeFile(
      file,
      `${await readFile(file, "utf8")}\n## Pop-up stores\n\nZephyrine pop-up stores test a neighbourhood for a season before a lease is signed.\n`,
    );
    const embedded = counting.texts.length;
    const s = await retrieval.ingestFolder(folder);
    expect(s).toMatchObject({ added: 0, updated: 1, unchanged: 19 });
    const after = await prisma.corpusChunk.findMany({ where: { documentId: doc.id } });
    expect(after.map((c) => c.id).some((id) => doc.chunks.some((old) => old.id === id))).toBe(false);
    expect(after.some((c) => c.text.includes("Zephyrine"))).toBe(true);
    // The opening passage did not change, so its vector came from the cache.
    expect(counting.texts.length - embedded).toBeLessThan(after.length);
    expect(await retrieval.store.count()).toBe(await prisma.corpusChunk.count());
    const found = await retrieval.retrieve(request({ topic: "zephyrine pop-up stores" }));
    expect(found.sources[0]).toMatchObject({ documentId: doc.id, industry: "retail" });
    expect(found.sources[0]!.excerpt).toContain("Zephyrine");
  });

  it("deletes a document from the tables and the index", async () => {
    const { prisma } = opened.db;
    const doc = await prisma.corpusDocument.findUniqueOrThrow({ where: { source: "telecom-private-5g.md" } });
    const before = await retrieval.store.count();
    expect(await retrieval.deleteDocument(doc.id)).toBe(true);
    expect(await retrieval.store.count()).toBe(before - doc.chunkCount);
    expect(await prisma.corpusChunk.count({ where: { documentId: doc.id } })).toBe(0);
    const hits = await retrieval.store.search(
      new HashingEmbedder().vector("private 5G networks for ports and factories"),
      { limit: 50 },
    );
    expect(hits.map((h) => h.documentId)).not.toContain(doc.id);
    expect(await retrieval.deleteDocument(doc.id)).toBe(false);
  });

  it("embeds a query once, and a new process reads it from the cache table", async () => {
    const ask = request({ topic: "AI for store shelves and inventory", industry: "retail" });
    const first = await retrieval.retrieve(ask);
    expect(first.embeddingTokens).toBeGreaterThan(0);
    expect(first.embeddingModel).toBe("counting-hash-512");
    const embedded = counting.texts.length;
    const again = await retrieval.retrieve(ask);
    expect(counting.texts).toHaveLength(embedded);
    expect(again.embeddingTokens).toBe(0);
    expect(again.sources).toEqual(first.sources);

    const fresh = new CountingEmbedder();
    const other = make(fresh); // another process: empty memory tier, same database
    const third = await other.retrieve(ask);
    expect(fresh.texts).toEqual([]);
    expect(third.embeddingTokens).toBe(0);
    expect(third.sources.map((s) => s.documentId)).toEqual(first.sources.map((s) => s.documentId));
    expect(other.embeddingCacheStats()).toMatchObject({ databaseHits: 1, misses: 0 });
    // A copy of an ingested file under a new name, and the file deleted above coming back:
    // two new documents, but not one new embedding.
    await cp(path.join(folder, "energy-grid-flexibility.md"), path.join(folder, "energy-copy.md"));
    const s = await other.ingestFolder(folder);
    expect(s).toMatchObject({ added: 2, unchanged: 19, embeddingTokens: 0 });
    expect(s.files.filter((f) => f.status === "added").map((f) => f.source)).toEqual([
      "energy-copy.md",
      "telecom-private-5g.md",
    ]);
    expect(fresh.texts).toEqual([]);
    await other.deleteDocument(
      (await opened.db.prisma.corpusDocument.findUniqueOrThrow({ where: { source: "energy-copy.md" } })).id,
    );
    await rm(path.join(folder, "energy-copy.md"));
  });

  it("keeps each vector in the cache table exactly as embedded, once however many processes write it", async () => {
    const texts = [`vectors round trip ${kind}`, `a second text beside it ${kind}`];
    // Two processes miss the table at once and both write: the second write is ignored, not an error.
    const writers = [make(new CountingEmbedder()), make(new CountingEmbedder())];
    const [a, b] = await Promise.all(writers.map((w) => w.embedder.embed(texts)));
    await Promise.all(writers.map((w) => w.embedder.settled()));
    expect(b!.vectors).toEqual(a!.vectors);
    const rows = await opened.db.prisma.embeddingCacheEntry.findMany({
      where: { model: "counting-hash-512", textHash: { in: texts.map(textHash) } },
    });
    expect(rows).toHaveLength(2);

    const fresh = new CountingEmbedder();
    const read = await make(fresh).embedder.embed(texts);
    expect(fresh.texts).toEqual([]);
    expect(read.tokens).toBe(0);
    expect(read.vectors).toEqual(a!.vectors);
  });

  it("filters by industry, and falls back to other industries when the asked one has too little", async () => {
    const banking = await retrieval.retrieve(
      request({ topic: "digital lending and embedded finance for small business", industry: "banking" }),
    );
    expect(banking.sources[0]!.industry).toBe("banking");
    expect(new Set(banking.sources.map((s) => s.documentId)).size).toBe(banking.sources.length);
    const energy = await retrieval.store.search(new HashingEmbedder().vector("customers shift demand"), {
      limit: 10,
      industry: "energy",
    });
    expect(energy.length).toBeGreaterThan(0);
    expect(energy.every((h) => h.industry === "energy")).toBe(true);
    const none = await retrieval.store.search(new HashingEmbedder().vector("supply chain"), {
      limit: 10,
      industry: "aerospace",
    });
    expect(none).toEqual([]);
    const fallback = await retrieval.retrieve(
      request({ topic: "supply chain visibility and arrival predictions", industry: "aerospace" }),
    );
    expect(fallback.sources[0]!.industry).toBe("logistics");
    const thai = await retrieval.retrieve(
      request({ topic: "การแพทย์ทางไกลสำหรับผู้สูงอายุ", industry: "healthcare", language: "th" }),
    );
    expect(thai.sources[0]!.title).toBe("การแพทย์ทางไกลกับระบบสุขภาพไทยในสังคมสูงวัย");
  });

  it("keeps excerpts small: at most four, one per article, about 400 tokens together", async () => {
    const res = await retrieval.retrieve(
      request({ topic: "digital transformation with data and AI", keywords: ["customers", "operations"] }),
    );
    // The index's own ranking of passages repeats articles; the excerpts are each article's best
    // passage, in that order, four of them.
    const hits = await retrieval.store.search(
      new HashingEmbedder().vector("digital transformation with data and AI customers operations"),
      { limit: 12 },
    );
    const ranked = hits.filter((h) => h.score >= 0.15).map((h) => h.documentId);
    expect(new Set(ranked).size).toBeLessThan(ranked.length);
    const bestOfEach = ranked.filter((id, i) => ranked.indexOf(id) === i).slice(0, 4);
    expect(bestOfEach).toHaveLength(4);
    expect(res.sources.map((s) => s.documentId)).toEqual(bestOfEach);
    expect(res.sources.map((s) => s.score)).toEqual(
      [...res.sources.map((s) => s.score)].sort((a, b) => b - a),
    );
    for (const s of res.sources) expect(countTokens(s.excerpt)).toBeLessThanOrEqual(90);
    expect(res.sources.reduce((n, s) => n + countTokens(s.excerpt), 0)).toBeLessThanOrEqual(400);
    expect((await retrieval.retrieve(request({ topic: "quantum chromodynamics lattice" }))).sources).toEqual(
      [],
    );
  });

  it("lets another process's index notice ingests and deletes made elsewhere", async () => {
    const watcher = new EmbeddedVectorStore({
      db: opened.db,
      model: "counting-hash-512",
      dimensions: 512,
      refreshIntervalMs: 1,
    });
    const before = await watcher.count();
    const file = path.join(folder, "extra-note.md");
    await writeFile(
      file,
      `---\ntitle: Extra note\nindustry: energy\n---\n\n${"Battery storage smooths solar output for factories. ".repeat(12)}`,
    );
    await retrieval.ingestFolder(folder);
    await new Promise((r) => setTimeout(r, 5));
    expect(await watcher.count()).toBe(before + 1);
    const doc = await opened.db.prisma.corpusDocument.findUniqueOrThrow({
      where: { source: "extra-note.md" },
    });
    await retrieval.deleteDocument(doc.id);
    await new Promise((r) => setTimeout(r, 5));
    expect(await watcher.count()).toBe(before);
    await rm(file);
  });

  it("re-embeds unchanged files when the embedder's model id changes, and indexes only the new vectors", async () => {
    // How a change to the hashing embedder's words reaches stored vectors: a new model id.
    const renamed = new CountingEmbedder("counting-hash-512-v2");
    const { prisma } = opened.db;
    const documents = await prisma.corpusDocument.count();
    const chunks = await prisma.corpusChunk.count();
    const s = await make(renamed).ingestFolder(folder);
    expect(s).toMatchObject({ added: 0, updated: documents, unchanged: 0, failed: 0, chunks });
    expect(renamed.texts).toHaveLength(chunks);
    expect(await prisma.corpusChunk.count({ where: { embeddingModel: "counting-hash-512-v2" } })).toBe(
      chunks,
    );
    expect(
      await prisma.corpusChunk.count({ where: { embeddingModel: { not: "counting-hash-512-v2" } } }),
    ).toBe(0);
    const index = new EmbeddedVectorStore({ db: opened.db, model: "counting-hash-512-v2", dimensions: 512 });
    expect(await index.count()).toBe(chunks);
    expect(
      await new EmbeddedVectorStore({ db: opened.db, model: "counting-hash-512", dimensions: 512 }).count(),
    ).toBe(0);
    // Back under the old id, the next ingest rebuilds again instead of serving the other vectors.
    expect(await retrieval.ingestFolder(folder)).toMatchObject({ updated: documents, unchanged: 0 });
  });

  it("reports a file it cannot use and ingests the rest", async () => {
    await writeFile(path.join(folder, "empty.md"), "---\ntitle: Nothing here\n---\n\n# Nothing here\n");
    const s = await retrieval.ingestFolder(folder);
    expect(s.failed).toBe(1);
    expect(s.files.find((f) => f.source === "empty.md")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/no text/),
    });
    await rm(path.join(folder, "empty.md"));
    await expect(retrieval.ingestFolder(path.join(folder, "missing"))).rejects.toThrow(/no such folder/);
  });
});
