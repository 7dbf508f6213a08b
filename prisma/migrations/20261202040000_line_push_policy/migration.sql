-- When a LINE draft may use a paid push; Free clients get replies and "Continue reading" only.
CREATE TYPE "LinePushPolicy" AS ENUM ('NEVER', 'FALLBACK', 'ALWAYS');

ALTER TABLE "Tier" ADD COLUMN "linePushPolicy" "LinePushPolicy" NOT NULL DEFAULT 'FALLBACK';

UPDATE "Tier" SET "linePushPolicy" = 'NEVER' WHERE "name" = 'Free';
