-- Console at a million generations (decision 116).
-- 1. Indexes for the Generations sorts (cost, time) and the workspace filter.
CREATE INDEX "Generation_costUsd_id_idx" ON "Generation"("costUsd", "id");
CREATE INDEX "Generation_latencyMs_id_idx" ON "Generation"("latencyMs", "id");
CREATE INDEX "Generation_tenantId_createdAt_idx" ON "Generation"("tenantId", "createdAt");
CREATE INDEX "Generation_tenantId_costUsd_id_idx" ON "Generation"("tenantId", "costUsd", "id");
-- 2. Which days' rollups changed since the console last summed them (an index-only scan).
CREATE INDEX "DailyUsage_day_updatedAt_idx" ON "DailyUsage"("day", "updatedAt");

-- 3. DailyUsage summed per day, workspace and platform; filled by the console.
CREATE TABLE "DailyTenantTotals" (
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "articles" INTEGER NOT NULL DEFAULT 0,
    "cacheHits" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "refusals" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(18,9) NOT NULL DEFAULT 0,
    "savedUsd" DECIMAL(18,9) NOT NULL DEFAULT 0,
    "latencyBuckets" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "sourceUpdatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DailyTenantTotals_pkey" PRIMARY KEY ("day","tenantId","platform")
);

-- 4. Generations counted by the filters the totals answer; kept by the triggers below, so every
-- insert, status change, repricing or delete of a generation moves its count in the same statement.
CREATE TABLE "GenerationTotals" (
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "model" TEXT NOT NULL,
    "status" "GenerationStatus" NOT NULL,
    "cacheHit" BOOLEAN NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" BIGINT NOT NULL DEFAULT 0,
    "outputTokens" BIGINT NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(18,9) NOT NULL DEFAULT 0,

    CONSTRAINT "GenerationTotals_pkey" PRIMARY KEY ("day","tenantId","platform","model","status","cacheHit")
);

INSERT INTO "GenerationTotals" ("day", "tenantId", "platform", "model", "status", "cacheHit", "count", "inputTokens", "outputTokens", "costUsd")
SELECT "day", "tenantId", "platform", COALESCE("model", ''), "status", "cacheHit", COUNT(*), SUM("inputTokens"), SUM("outputTokens"), SUM("costUsd")
FROM "Generation" GROUP BY 1, 2, 3, 4, 5, 6;

CREATE FUNCTION "generation_totals_add"(g "Generation", sign INTEGER) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "GenerationTotals" AS t ("day", "tenantId", "platform", "model", "status", "cacheHit", "count", "inputTokens", "outputTokens", "costUsd")
  VALUES (g."day", g."tenantId", g."platform", COALESCE(g."model", ''), g."status", g."cacheHit", sign,
    sign * g."inputTokens", sign * g."outputTokens", sign * g."costUsd")
  ON CONFLICT ("day", "tenantId", "platform", "model", "status", "cacheHit") DO UPDATE SET
    "count" = t."count" + EXCLUDED."count",
    "inputTokens" = t."inputTokens" + EXCLUDED."inputTokens",
    "outputTokens" = t."outputTokens" + EXCLUDED."outputTokens",
    "costUsd" = t."costUsd" + EXCLUDED."costUsd";
END $$;

CREATE FUNCTION "generation_totals"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM "generation_totals_add"(OLD, -1); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM "generation_totals_add"(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "generation_totals_insert_delete" AFTER INSERT OR DELETE ON "Generation"
  FOR EACH ROW EXECUTE FUNCTION "generation_totals"();
-- Progress updates (chunks delivered, delivery state, stop requests) leave the totals alone.
CREATE TRIGGER "generation_totals_update" AFTER UPDATE ON "Generation"
  FOR EACH ROW WHEN (
    OLD."day" IS DISTINCT FROM NEW."day" OR OLD."tenantId" IS DISTINCT FROM NEW."tenantId"
    OR OLD."platform" IS DISTINCT FROM NEW."platform" OR OLD."model" IS DISTINCT FROM NEW."model"
    OR OLD."status" IS DISTINCT FROM NEW."status" OR OLD."cacheHit" IS DISTINCT FROM NEW."cacheHit"
    OR OLD."inputTokens" IS DISTINCT FROM NEW."inputTokens" OR OLD."outputTokens" IS DISTINCT FROM NEW."outputTokens"
    OR OLD."costUsd" IS DISTINCT FROM NEW."costUsd")
  EXECUTE FUNCTION "generation_totals"();
