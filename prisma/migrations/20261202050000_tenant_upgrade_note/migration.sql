-- What a workspace's clients read under a refusal to find a bigger plan (set in the console).
ALTER TABLE "Tenant" ADD COLUMN "upgradeNote" TEXT NOT NULL DEFAULT '';
