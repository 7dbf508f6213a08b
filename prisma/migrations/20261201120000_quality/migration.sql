-- AlterEnum: the quality judge's calls are priced and rolled up as their own operation.
ALTER TYPE "TokenOperation" ADD VALUE 'JUDGE';

-- CreateEnum
CREATE TYPE "FeedbackVote" AS ENUM ('UP', 'DOWN');

-- AlterTable
ALTER TABLE "Generation" ADD COLUMN     "promptVersion" TEXT,
ADD COLUMN     "qualityScore" INTEGER,
ADD COLUMN     "qualityChecks" JSONB,
ADD COLUMN     "judge" JSONB,
ADD COLUMN     "votesUp" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "votesDown" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "DraftFeedback" (
    "id" TEXT NOT NULL,
    "generationId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "voterId" TEXT NOT NULL,
    "vote" "FeedbackVote" NOT NULL,
    "comment" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DraftFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StylePhrase" (
    "phrase" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StylePhrase_pkey" PRIMARY KEY ("phrase")
);

-- CreateIndex
CREATE INDEX "Generation_qualityScore_idx" ON "Generation"("qualityScore");

-- CreateIndex
CREATE UNIQUE INDEX "DraftFeedback_generationId_platform_voterId_key" ON "DraftFeedback"("generationId", "platform", "voterId");

-- CreateIndex
CREATE INDEX "DraftFeedback_updatedAt_idx" ON "DraftFeedback"("updatedAt");

-- AddForeignKey
ALTER TABLE "DraftFeedback" ADD CONSTRAINT "DraftFeedback_generationId_fkey" FOREIGN KEY ("generationId") REFERENCES "Generation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Seed the house-style list once; admins edit it from the console afterwards (a later start
-- never puts back a phrase an admin removed).
INSERT INTO "StylePhrase" ("phrase") VALUES
  ('in today''s fast-paced world'),
  ('in today''s digital age'),
  ('in the ever-evolving landscape'),
  ('game-changer'),
  ('unlock the full potential'),
  ('it is important to note that'),
  ('a testament to'),
  ('delve into'),
  ('ในยุคที่โลกเปลี่ยนแปลงอย่างรวดเร็ว'),
  ('ในโลกยุคดิจิทัลปัจจุบัน');
