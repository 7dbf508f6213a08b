-- AlterEnum
ALTER TYPE "TokenOperation" ADD VALUE 'REVISION';

-- AlterTable
ALTER TABLE "Tier" ADD COLUMN     "revisionsPerDraft" INTEGER NOT NULL DEFAULT 3;

-- AlterTable
ALTER TABLE "Generation" ADD COLUMN     "draftId" TEXT,
ADD COLUMN     "revisesId" TEXT,
ADD COLUMN     "instruction" TEXT,
ADD COLUMN     "stopRequestedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Draft" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "platform" "Platform" NOT NULL,
    "conversationKey" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "revisions" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Draft_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DraftMessage" (
    "platform" "Platform" NOT NULL,
    "messageId" TEXT NOT NULL,
    "draftId" TEXT NOT NULL,
    "generationId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DraftMessage_pkey" PRIMARY KEY ("platform","messageId")
);

-- CreateIndex
CREATE INDEX "Generation_draftId_createdAt_idx" ON "Generation"("draftId", "createdAt");

-- CreateIndex
CREATE INDEX "Draft_conversationKey_updatedAt_idx" ON "Draft"("conversationKey", "updatedAt");

-- CreateIndex
CREATE INDEX "DraftMessage_draftId_idx" ON "DraftMessage"("draftId");

-- AddForeignKey
ALTER TABLE "Generation" ADD CONSTRAINT "Generation_draftId_fkey" FOREIGN KEY ("draftId") REFERENCES "Draft"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Generation" ADD CONSTRAINT "Generation_revisesId_fkey" FOREIGN KEY ("revisesId") REFERENCES "Generation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Draft" ADD CONSTRAINT "Draft_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Draft" ADD CONSTRAINT "Draft_requesterId_fkey" FOREIGN KEY ("requesterId") REFERENCES "Requester"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DraftMessage" ADD CONSTRAINT "DraftMessage_draftId_fkey" FOREIGN KEY ("draftId") REFERENCES "Draft"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DraftMessage" ADD CONSTRAINT "DraftMessage_generationId_fkey" FOREIGN KEY ("generationId") REFERENCES "Generation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
