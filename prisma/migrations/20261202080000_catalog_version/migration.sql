-- One row counting console changes to what the accept path caches (tiers, model prices,
-- requesters, workspaces): core/records/catalog.ts. Bumped in the change's own transaction.
CREATE TABLE "CatalogVersion" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "version" INTEGER NOT NULL DEFAULT 0,
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogVersion_pkey" PRIMARY KEY ("id")
);

INSERT INTO "CatalogVersion" ("id") VALUES (1);

-- A cache lookup that misses the live copy refills from the mirror; the shared refill matches
-- pinned rows by key suffix, which without this index scanned the whole table on every miss.
CREATE INDEX "TopicCacheEntry_pinnedShared_idx" ON "TopicCacheEntry"("pinnedShared");
