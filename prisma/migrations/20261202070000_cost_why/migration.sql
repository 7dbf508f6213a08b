-- "What it cost and why" on a generation's page: the tier at the time and the message as typed
-- (written at accept), what a cache hit saved, and the price applied to each model call.
-- Rows recorded before this migration keep nulls, and the page says the value was not recorded.
ALTER TABLE "Generation" ADD COLUMN "tierName" TEXT;
ALTER TABLE "Generation" ADD COLUMN "rawText" TEXT;
ALTER TABLE "Generation" ADD COLUMN "savedUsd" DECIMAL(18,9);
ALTER TABLE "TokenUsage" ADD COLUMN "inputPerMTokUsd" DECIMAL(12,6);
ALTER TABLE "TokenUsage" ADD COLUMN "outputPerMTokUsd" DECIMAL(12,6);
