-- AlterTable
ALTER TABLE "model_gateway"."connections" ADD COLUMN     "connection_type" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "tags" JSONB NOT NULL DEFAULT '[]';

