-- Finer latency buckets (core/records/generations.ts LATENCY_BUCKETS_MS): 10 bounds become 22.
-- Every old bound is kept, so each old count moves to the new bucket with the same upper bound
-- (1, 2, 4, 8, 12, 20, 30, 60, 120 s and open); the buckets in between start at zero.
UPDATE "DailyUsage" SET "latencyBuckets" = ARRAY[
  COALESCE("latencyBuckets"[1], 0), COALESCE("latencyBuckets"[2], 0), 0, COALESCE("latencyBuckets"[3], 0), 0, 0,
  COALESCE("latencyBuckets"[4], 0), 0, COALESCE("latencyBuckets"[5], 0), 0, COALESCE("latencyBuckets"[6], 0), 0,
  COALESCE("latencyBuckets"[7], 0), 0, 0, 0, 0, COALESCE("latencyBuckets"[8], 0), 0, 0,
  COALESCE("latencyBuckets"[9], 0), COALESCE("latencyBuckets"[10], 0)
]::INTEGER[]
WHERE cardinality("latencyBuckets") = 10;
