import { describe, expect, it } from "vitest";
import { CachedEmbedder } from "../../core/retrieval/cached-embedder.ts";
import { HashingEmbedder } from "../../core/retrieval/hashing-embedder.ts";
import { Lru } from "../../core/retrieval/lru.ts";
import type { Embedder } from "../../core/retrieval/types.ts";

/** Counts what reaches the model; bills one token per character so token reporting is visible. */
class CountingEmbedder implements Embedder {
  readonly inner = new HashingEmbedder(64);
  readonly model = "counting-64";
  readonly dimensions = 64;
  calls: string[][] = [];
  async embed(texts: string[]) {
    this.calls.push(texts);
    await new Promise((r) => setTimeout(r, 5));
    return {
      vectors: texts.map((t) => this.inner.vector(t)),
      tokens: texts.reduce((n, t) => n + t.length, 0),
    };
  }
}

describe("Lru", () => {
  it("keeps at most its capacity, evicting the least recently used", () => {
    const lru = new Lru<string, number>(3);
    for (const [i, k] of ["a", "b", "c"].entries()) lru.set(k, i);
    expect(lru.get("a")).toBe(0); // a is now the youngest
    lru.set("d", 3);
    expect(lru.size).toBe(3);
    expect(lru.get("b")).toBeUndefined();
    expect([lru.get("a"), lru.get("c"), lru.get("d")]).toEqual([0, 2, 3]);
    lru.set("c", 9); // overwrite refreshes, does not grow
    expect(lru.size).toBe(3);
    expect(() => new Lru(0)).toThrow(/capacity/);
  });
});

describe("CachedEmbedder (memory tier)", () => {
  it("embeds each text once and reports only the tokens actually spent", async () => {
    const inner = new CountingEmbedder();
    const cached = new CachedEmbedder(inner);
    const first = await cached.embed(["alpha", "beta", "alpha"]);
    expect(inner.calls).toEqual([["alpha", "beta"]]);
    expect(first.tokens).toBe(9);
    expect(first.vectors[0]).toEqual(first.vectors[2]);
    const second = await cached.embed(["beta", "gamma"]);
    expect(inner.calls[1]).toEqual(["gamma"]);
    expect(second.tokens).toBe(5);
    expect(second.vectors[0]).toEqual(first.vectors[1]);
    const third = await cached.embed(["alpha", "gamma"]);
    expect(inner.calls).toHaveLength(2);
    expect(third.tokens).toBe(0);
    expect(cached.stats()).toMatchObject({
      misses: 3,
      hits: 4,
      memoryHits: 4,
      databaseHits: 0,
      entries: 3,
      tokensSpent: 14,
    });
    expect(cached.model).toBe("counting-64");
    expect(cached.dimensions).toBe(64);
  });

  it("stays within its capacity", async () => {
    const inner = new CountingEmbedder();
    const cached = new CachedEmbedder(inner, { capacity: 10 });
    await cached.embed(Array.from({ length: 25 }, (_, i) => `text ${i}`));
    expect(cached.stats().entries).toBe(10);
    await cached.embed(["text 24"]); // recent: still cached
    expect(inner.calls).toHaveLength(1);
    await cached.embed(["text 0"]); // evicted: embedded again
    expect(inner.calls).toHaveLength(2);
  });

  it("shares one model call between concurrent requests for the same text", async () => {
    const inner = new CountingEmbedder();
    const cached = new CachedEmbedder(inner);
    const results = await Promise.all([
      cached.embed(["same topic"]),
      cached.embed(["same topic"]),
      cached.embed(["same topic", "other"]),
    ]);
    expect(inner.calls.flat().filter((t) => t === "same topic")).toHaveLength(1);
    expect(results[1]!.vectors[0]).toEqual(results[0]!.vectors[0]);
    expect(results.reduce((n, r) => n + r.tokens, 0)).toBe("same topic".length + "other".length);
  });

  it("passes a model failure to every waiter and remembers nothing", async () => {
    const inner = new CountingEmbedder();
    let fail = true;
    const flaky: Embedder = {
      model: "flaky",
      dimensions: 64,
      embed: (t) => (fail ? Promise.reject(new Error("provider down")) : inner.embed(t)),
    };
    const cached = new CachedEmbedder(flaky);
    await expect(Promise.all([cached.embed(["x"]), cached.embed(["x"])])).rejects.toThrow("provider down");
    fail = false;
    expect((await cached.embed(["x"])).vectors[0]).toHaveLength(64);
  });
});
