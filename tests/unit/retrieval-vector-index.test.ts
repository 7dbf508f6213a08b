import { describe, expect, it } from "vitest";
import { VectorIndex } from "../../core/retrieval/vector-index.ts";

/** A small deterministic PRNG, so failures reproduce. */
function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const INDUSTRIES = ["retail", "banking", "energy", null];

function filled(n: number, d = 32) {
  const r = rng(7);
  const index = new VectorIndex(d, 4);
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    documentId: `d${i % 50}`,
    industry: INDUSTRIES[i % 4]!,
    language: (i % 3 ? "en" : "th") as "en" | "th",
    vector: Array.from({ length: d }, r),
  }));
  for (const row of rows) index.upsert(row);
  return { index, rows, r };
}

const cosine = (a: number[], b: number[]) =>
  a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));

describe("VectorIndex", () => {
  it("returns exactly the brute-force top k, best first", () => {
    const { index, rows, r } = filled(500);
    const q = Array.from({ length: 32 }, r);
    const expected = rows
      .map((row) => ({ id: row.id, score: cosine(q, row.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 7);
    const got = index.search(q, 7);
    expect(got.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    for (const [i, h] of got.entries()) expect(h.score).toBeCloseTo(expected[i]!.score, 5);
  });

  it("filters by industry and language before scoring", () => {
    const { index, rows, r } = filled(400);
    const q = Array.from({ length: 32 }, r);
    const banking = index.search(q, 10, { industry: "banking" });
    expect(banking).toHaveLength(10);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(banking.every((h) => byId.get(h.id)!.industry === "banking")).toBe(true);
    const expected = rows
      .filter((row) => row.industry === "banking")
      .map((row) => ({ id: row.id, s: cosine(q, row.vector) }))
      .sort((a, b) => b.s - a.s);
    expect(banking.map((h) => h.id)).toEqual(expected.slice(0, 10).map((e) => e.id));
    expect(
      index
        .search(q, 5, { industry: "banking", language: "th" })
        .every((h) => byId.get(h.id)!.language === "th"),
    ).toBe(true);
    expect(index.search(q, 5, { industry: "aerospace" })).toEqual([]);
  });

  it("removes rows by moving the last one into the gap, and by document", () => {
    const { index, rows, r } = filled(100);
    expect(index.remove("c3")).toBe(true);
    expect(index.remove("c3")).toBe(false);
    expect(index.size).toBe(99);
    // The moved row (formerly last) is still found by its own vector.
    expect(index.search(rows[99]!.vector, 1)[0]).toMatchObject({ id: "c99" });
    expect(index.removeDocument("d7")).toBe(2); // c7 and c57
    expect(index.size).toBe(97);
    const q = Array.from({ length: 32 }, r);
    const ids = index.search(q, 200).map((h) => h.id);
    expect(ids).toHaveLength(97);
    expect(ids).not.toContain("c7");
    expect(ids).not.toContain("c57");
  });

  it("replaces a row on upsert with the same id, and rejects the wrong width", () => {
    const index = new VectorIndex(3);
    index.upsert({ id: "a", documentId: "d1", industry: "retail", language: "en", vector: [1, 0, 0] });
    index.upsert({ id: "a", documentId: "d2", industry: "energy", language: "en", vector: [0, 2, 0] });
    expect(index.size).toBe(1);
    expect(index.search([0, 1, 0], 1)).toEqual([{ id: "a", score: 1 }]);
    expect(index.search([0, 1, 0], 1, { industry: "retail" })).toEqual([]);
    expect(index.removeDocument("d1")).toBe(0);
    expect(index.removeDocument("d2")).toBe(1);
    expect(() =>
      index.upsert({ id: "b", documentId: "d", industry: null, language: "en", vector: [1, 0] }),
    ).toThrow(/dimensions/);
    expect(index.search([0, 0, 0], 3)).toEqual([]);
  });
});
