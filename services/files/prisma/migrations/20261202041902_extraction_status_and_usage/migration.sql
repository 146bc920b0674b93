-- AlterTable
ALTER TABLE "files"."files" ADD COLUMN     "content" TEXT,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "meta" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "page_count" INTEGER,
ADD COLUMN     "status" TEXT,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "files"."user_usage" (
    "user_id" UUID NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "file_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "user_usage_pkey" PRIMARY KEY ("user_id")
);

-- CreateIndex
CREATE INDEX "files_storage_key_idx" ON "files"."files"("storage_key");

