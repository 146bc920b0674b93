-- AlterTable
ALTER TABLE "retrieval"."knowledge_bases" ADD COLUMN     "access_control" JSONB,
ADD COLUMN     "meta" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "retrieval"."knowledge_files" (
    "knowledge_base_id" UUID NOT NULL,
    "file_id" UUID NOT NULL,
    "added_by" UUID NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "knowledge_files_pkey" PRIMARY KEY ("knowledge_base_id","file_id")
);

-- CreateTable
CREATE TABLE "retrieval"."retrieval_settings" (
    "id" INTEGER NOT NULL,
    "data" JSONB NOT NULL,
    "embedding_dims" INTEGER NOT NULL DEFAULT 0,
    "reindex_total" INTEGER NOT NULL DEFAULT 0,
    "reindex_started_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "retrieval_settings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "knowledge_files_file_id_idx" ON "retrieval"."knowledge_files"("file_id");

-- AddForeignKey
ALTER TABLE "retrieval"."knowledge_files" ADD CONSTRAINT "knowledge_files_knowledge_base_id_fkey" FOREIGN KEY ("knowledge_base_id") REFERENCES "retrieval"."knowledge_bases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

