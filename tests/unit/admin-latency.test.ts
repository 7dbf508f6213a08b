import { describe, expect, it } from "vitest";
import { latencyPercentile } from "../../admin/app/overview.server.ts";
import { LATENCY_BUCKETS_MS } from "../../core/records/generations.ts";

/** p50/p95 read from the daily latency buckets: a number within the bucket, not its bound. */

const counts = (at: Record<number, number>) => LATENCY_BUCKETS_MS.map((_, i) => at[i] ?? 0);

describe("latency percentiles from buckets", () => {
  it("keeps every earlier bound, so old counts kept their meaning when the buckets got finer", () => {
    for (const bound of [1_000, 2_000, 4_000, 8_000, 12_000, 20_000, 30_000, 60_000, 120_000, Infinity])
      expect(LATENCY_BUCKETS_MS).toContain(bound);
    expect(LATENCY_BUCKETS_MS).toEqual([...LATENCY_BUCKETS_MS].sort((a, b) => a - b));
  });

  it("interpolates within the bucket that holds the quantile", () => {
    // 50 drafts in (4 s, 5 s], 50 in (30 s, 35 s].
    const c = counts({ 4: 50, 13: 50 });
    expect(latencyPercentile(c, 0.5)).toEqual({ ms: 5_000, open: false });
    expect(latencyPercentile(c, 0.95)).toEqual({ ms: 34_500, open: false });
  });

  it("says 'above the last bound' for the open bucket, and nothing without drafts", () => {
    expect(latencyPercentile(counts({ 21: 3 }), 0.95)).toEqual({ ms: 120_000, open: true });
    expect(latencyPercentile(counts({}), 0.95)).toBeNull();
  });
});
