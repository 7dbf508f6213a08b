/**
 * Retrieval latency in the embedded profile: brute-force search of the in-memory index over 10k
 * and 100k synthetic 512-dimensional passages, with and without an industry filter, and the
 * memory the vectors take; then the whole path on a real database (load from PGlite, search,
 * read passages back) over 10k stored passages, and `retrieve()` over the sample corpus.
 * Bounded: fixed query counts, synthetic data generated in-process, loopback only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { EmbeddedVectorStore } from "../../core/retrieval/embedded-store.ts";
import { createRetrieval } from "../../core/retrieval/index.ts";
import { VectorIndex } from "../../core/retrieval/vector-index.ts";

const DIMS = 512;
const INDUSTRIES = [
  "retail",
  "healthcare",
  "banking",
  "manufacturing",
  "logistics",
  "energy",
  "hospitality",
  "agriculture",
  "real-estate",
  "telecom",
  "education",
  "government",
];

/** Deterministic pseudo-random vectors around a few topic centres, like real passages cluster. */
function generator(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const centres = Array.from({ length: 32 }, () => Float32Array.from({ length: DIMS }, next));
  return (i: number) => {
    const c = centres[i % centres.length]!;
    return Float32Array.from({ length: DIMS }, (_, j) => c[j]! * 0.6 + next());
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function time(queries: number, run: (i: number) => void): { p50: number; p99: number } {
  for (let i = 0; i < 5; i++) run(i); // warm the JIT
  const ms: number[] = [];
  for (let i = 0; i < queries; i++) {
    const t0 = performance.now();
    run(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

async function timeAsync(
  queries: number,
  run: (i: number) => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await run(i);
  const ms: number[] = [];
  for (let i = 0; i < queries; i++) {
    const t0 = performance.now();
    await run(i);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

const fmt = ({ p50, p99 }: { p50: number; p99: number }) =>
  `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function inMemory(n: number, queries: number): void {
  const vector = generator(n);
  const before = process.memoryUsage();
  const t0 = performance.now();
  const index = new VectorIndex(DIMS, n);
  for (let i = 0; i < n; i++) {
    index.upsert({
      id: `chunk-${i}`,
      documentId: `doc-${i >> 2}`,
      industry: INDUSTRIES[i % INDUSTRIES.length]!,
      language: i % 3 ? "en" : "th",
      vector: vector(i),
    });
  }
  const buildMs = performance.now() - t0;
  const after = process.memoryUsage();
  const qs = Array.from({ length: 64 }, (_, i) => vector(i * 7 + 3));
  const plain = time(queries, (i) => index.search(qs[i % qs.length]!, 12));
  const filtered = time(queries, (i) =>
    index.search(qs[i % qs.length]!, 12, { industry: INDUSTRIES[i % INDUSTRIES.length] }),
  );
  console.log(
    `  ${n.toLocaleString("en")} passages: built in ${buildMs.toFixed(0)} ms; vectors ${mib(index.bytes)}, process grew ${mib(after.rss - before.rss)} RSS`,
  );
  console.log(`    top-12, no filter:         ${fmt(plain)}  (${queries} queries)`);
  console.log(`    top-12, industry filter:   ${fmt(filtered)}  (1 of ${INDUSTRIES.length} industries)`);
}

async function onDatabase(n: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "ab-bench-retrieval-"));
  const db = await openDatabase({ database: { kind: "pglite", dir: path.join(dir, "pglite") } });
  try {
    await db.migrate();
    const vector = generator(n + 1);
    const t0 = performance.now();
    for (let d = 0; d < n / 4; d += 250) {
      const docs = Array.from({ length: 250 }, (_, k) => ({
        id: `doc-${d + k}`,
        source: `doc-${d + k}.md`,
        title: `Synthetic ${d + k}`,
        industry: INDUSTRIES[(d + k) % INDUSTRIES.length]!,
        language: "en",
        contentHash: "x",
        body: "",
        chunkCount: 4,
      }));
      await db.prisma.corpusDocument.createMany({ data: docs });
      await db.prisma.corpusChunk.createMany({
        data: docs.flatMap((doc, k) =>
          Array.from({ length: 4 }, (_, o) => ({
            documentId: doc.id,
            ordinal: o,
            text: `Passage ${o} of ${doc.title}: a few sentences of reference text.`,
            tokens: 12,
            industry: doc.industry,
            language: "en",
            embedding: Array.from(vector((d + k) * 4 + o)),
            embeddingModel: "bench-512",
          })),
        ),
      });
    }
    const insertMs = performance.now() - t0;
    const store = new EmbeddedVectorStore({ db, model: "bench-512", dimensions: DIMS, refreshIntervalMs: 0 });
    const t1 = performance.now();
    const count = await store.count();
    const loadMs = performance.now() - t1;
    const qs = Array.from({ length: 32 }, (_, i) => Array.from(vector(i * 5 + 1)));
    const search = await timeAsync(100, (i) =>
      store.search(qs[i % qs.length]!, {
        limit: 12,
        industry: i % 2 ? INDUSTRIES[i % INDUSTRIES.length] : null,
      }),
    );
    console.log(
      `  PGlite, ${count.toLocaleString("en")} stored passages: written in ${(insertMs / 1000).toFixed(1)} s, loaded into memory in ${loadMs.toFixed(0)} ms`,
    );
    console.log(`    search + read passages back: ${fmt(search)}  (100 queries, half filtered)`);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function sampleCorpus(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "ab-bench-corpus-"));
  const config = loadConfig({ DATA_DIR: dir });
  const db = await openDatabase(config);
  try {
    await db.migrate();
    const retrieval = createRetrieval({ config, logger: createLogger("silent"), db, redis: null });
    const s = await retrieval.ingestFolder(path.resolve("data/corpus"));
    const topics = [
      "AI in retail stores",
      "virtual care at home",
      "embedded finance",
      "digital twins",
      "สินเชื่อ SME ดิจิทัล",
      "smart buildings",
      "private 5G",
      "precision farming",
    ];
    let n = 0;
    const base = {
      industry: null,
      audience: "executives",
      targetWords: 800,
      keywords: [],
      language: "en" as const,
      tone: "executive" as const,
    };
    // Distinct topics each time, so the embedding cache does not flatter the figure.
    const cold = await timeAsync(100, () =>
      retrieval.retrieve({ ...base, topic: `${topics[n % topics.length]} ${n++}` }),
    );
    console.log(
      `  sample corpus (${s.added} articles, ${s.chunks} passages), PGlite, local embedder: ingest ${s.ms} ms`,
    );
    console.log(`    retrieve() end to end, uncached query: ${fmt(cold)}`);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(`retrieval, embedded index (${DIMS} dimensions, brute-force cosine, Node ${process.version})`);
  inMemory(10_000, 500);
  inMemory(100_000, 100);
  await onDatabase(10_000);
  await sampleCorpus();
}
