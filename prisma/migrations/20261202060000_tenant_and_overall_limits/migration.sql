-- Workspace (tenant) caps, the console's overall limits and alert destinations, refusals by
-- limit and sent budget alerts (decision 110).
ALTER TABLE "Tenant" ADD COLUMN "dailyArticleLimit" INTEGER;
ALTER TABLE "Tenant" ADD COLUMN "monthlyBudgetUsd" DECIMAL(12,2);

CREATE TABLE "LimitSettings" (
    "id" TEXT NOT NULL DEFAULT 'global',
    "dailySpendUsd" DECIMAL(12,2),
    "monthlyBudgetUsd" DECIMAL(12,2),
    "alertWebhookUrl" TEXT,
    "alertEmail" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "LimitSettings_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "QuotaRefusal" (
    "id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "limit" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "QuotaRefusal_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "QuotaRefusal_day_limit_idx" ON "QuotaRefusal"("day", "limit");
CREATE INDEX "QuotaRefusal_requesterId_day_idx" ON "QuotaRefusal"("requesterId", "day");

CREATE TABLE "BudgetAlert" (
    "key" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "threshold" INTEGER NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BudgetAlert_pkey" PRIMARY KEY ("key","period","threshold")
);

-- A workspace's caps read this rollup on every request; filled from what is already counted.
CREATE TABLE "DailyTenantUsage" (
    "day" DATE NOT NULL,
    "tenantId" TEXT NOT NULL,
    "articles" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DECIMAL(18,9) NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "DailyTenantUsage_pkey" PRIMARY KEY ("tenantId","day")
);
INSERT INTO "DailyTenantUsage" ("day", "tenantId", "articles", "costUsd", "updatedAt")
SELECT "day", "tenantId", SUM("articles"), SUM("costUsd"), now() FROM "DailyUsage" GROUP BY "day", "tenantId";
