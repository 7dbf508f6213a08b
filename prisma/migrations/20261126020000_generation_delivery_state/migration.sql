-- AlterTable
ALTER TABLE "Generation" ADD COLUMN     "deliveryState" JSONB;
