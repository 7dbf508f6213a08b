import { describe, expect, it } from "vitest";
import { decodeIndexed, encodeIndexed } from "../../core/cache/stores.ts";

describe("the topic cache's Redis vector format", () => {
  it("round-trips a vector and its expiry in binary, float32 values unchanged", () => {
    const vector = Float32Array.from([0.1, -0.25, 3.5e-7, 1]);
    const decoded = decodeIndexed(encodeIndexed(vector, 1_764_000_000_123));
    expect(decoded.exp).toBe(1_764_000_000_123);
    expect([...decoded.vector]).toEqual([...vector]);
  });

  it("still reads an entry written as JSON before the binary format", () => {
    const decoded = decodeIndexed(Buffer.from(JSON.stringify({ v: [0.5, -1], exp: 42 })));
    expect(decoded.exp).toBe(42);
    expect([...decoded.vector]).toEqual([0.5, -1]);
  });
});
