import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HashingEmbedder } from "../../core/retrieval/hashing-embedder.ts";
import { parseArticle } from "../../core/retrieval/markdown.ts";

const CORPUS = path.resolve("data/corpus");
const articles = readdirSync(CORPUS).map((file) => ({
  file,
  ...parseArticle(readFileSync(path.join(CORPUS, file), "utf8"), file),
}));
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

function rank(query: string) {
  const e = new HashingEmbedder();
  const q = e.vector(query);
  return articles
    .map((a) => ({ ...a, score: cos(q, e.vector(`${a.title}\n\n${a.body}`)) }))
    .sort((x, y) => y.score - x.score);
}

describe("HashingEmbedder", () => {
  it("is deterministic across instances, unit length, free, and names its width", async () => {
    const [a, b] = [new HashingEmbedder(), new HashingEmbedder()];
    const text = "AI in retail: shelves that report themselves";
    const { vectors, tokens } = await a.embed([text, text]);
    expect(vectors[0]).toEqual(vectors[1]);
    expect((await b.embed([text])).vectors[0]).toEqual(vectors[0]);
    expect(vectors[0]).toHaveLength(512);
    expect(Math.hypot(...vectors[0]!)).toBeCloseTo(1, 5);
    expect(tokens).toBe(0);
    expect(a.model).toBe("local-hash-512");
    expect(new HashingEmbedder(256).model).toBe("local-hash-256");
    expect(new HashingEmbedder(256).vector(text)).toHaveLength(256);
  });

  it("builds the same vectors as long as its model id stays local-hash-512", () => {
    // Vectors stored under a model id are only comparable with queries built the same way. If
    // this digest changes (the words, the stems, the hashing), change the model id with it, so
    // stored vectors are re-embedded (tests/integration/retrieval-ingest.test.ts), then update it.
    const e = new HashingEmbedder();
    const texts = readdirSync(CORPUS)
      .sort()
      .map((f) => readFileSync(path.join(CORPUS, f), "utf8"));
    texts.push("เรื่องAIในธุรกิจค้าปลีก: Retailers' SUPPLY-chain ๒๕๖๘ AI İstanbul");
    const digest = createHash("sha256");
    for (const t of texts) digest.update(Buffer.from(Float32Array.from(e.vector(t)).buffer));
    expect({ model: e.model, vectors: digest.digest("hex") }).toEqual({
      model: "local-hash-512",
      vectors: "09242cbf944e93f5c0ae5d8b998262a1e14504552e35c37725ad9940626fb8d3",
    });
  });

  it("gives text without words the zero vector instead of NaN", () => {
    const v = new HashingEmbedder().vector("  — !! ");
    expect(v.every((x) => x === 0)).toBe(true);
  });

  it("ignores case, punctuation and function words, and folds plurals", () => {
    const e = new HashingEmbedder();
    expect(e.vector("The Retail Stores!")).toEqual(e.vector("retail store"));
    // Different words sharing a six-letter stem meet through that stem alone.
    expect(cos(e.vector("retailers"), e.vector("retail"))).toBeGreaterThan(0.15);
    expect(Math.abs(cos(e.vector("retailers"), e.vector("hospital")))).toBeLessThan(0.05);
  });

  it("scores texts that share words above texts that do not", () => {
    const e = new HashingEmbedder();
    const q = e.vector("supply chain visibility for shippers");
    expect(cos(q, e.vector("shippers want visibility across the supply chain"))).toBeGreaterThan(0.4);
    expect(cos(q, e.vector("hotel guests enjoy a personal welcome"))).toBeLessThan(0.15);
  });

  it("ranks a retail article first for a retail question", () => {
    const ranked = rank("AI for store shelves, inventory and out-of-stocks in retail");
    expect(ranked[0]!.industry).toBe("retail");
    expect(ranked[0]!.language).toBe("en");
  });

  it("separates Latin words glued to Thai ones, which ICU would keep as one segment", () => {
    const e = new HashingEmbedder();
    expect(e.vector("เรื่องAIในค้าปลีก")).toEqual(e.vector("เรื่อง AI ใน ค้าปลีก"));
  });

  it("segments Thai, so a Thai question finds the Thai article on its subject", () => {
    const ranked = rank("สินเชื่อดิจิทัลสำหรับธุรกิจ SME");
    expect(ranked[0]!.file).toBe("th-banking-digital-lending.md");
    const farm = rank("โดรนและระบบน้ำในเกษตรอัจฉริยะ");
    expect(farm[0]!.file).toBe("th-agriculture-smart-farming.md");
  });
});
