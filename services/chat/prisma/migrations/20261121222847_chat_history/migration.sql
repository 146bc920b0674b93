-- AlterTable
ALTER TABLE "chat"."chats" ADD COLUMN     "message_count" INTEGER NOT NULL DEFAULT 0,
-- Hand-edited: "search" is generated from the title, so no writer has to keep it in step.
ADD COLUMN     "search" tsvector GENERATED ALWAYS AS (to_tsvector('simple', "title")) STORED,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
-- Hand-edited: generated from the first 100,000 characters (a tsvector holds at most 1 MB).
ALTER TABLE "chat"."messages" ADD COLUMN     "search" tsvector GENERATED ALWAYS AS (to_tsvector('simple', left("content", 100000))) STORED;

-- Hand-added: the message counter starts from the rows that exist.
UPDATE "chat"."chats" c SET "message_count" = (SELECT count(*) FROM "chat"."messages" m WHERE m."chat_id" = c."id");

-- CreateTable
CREATE TABLE "chat"."tags" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "meta" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id","user_id")
);

-- CreateTable
CREATE TABLE "chat"."folders" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "parent_id" UUID,
    "name" TEXT NOT NULL,
    "meta" JSONB NOT NULL DEFAULT '{}',
    "data" JSONB NOT NULL DEFAULT '{}',
    "is_expanded" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "folders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat"."shared_chats" (
    "id" TEXT NOT NULL,
    "chat_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shared_chats_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "folders_user_id_parent_id_idx" ON "chat"."folders"("user_id", "parent_id");

-- CreateIndex
CREATE UNIQUE INDEX "shared_chats_chat_id_key" ON "chat"."shared_chats"("chat_id");

-- CreateIndex
CREATE INDEX "chats_folder_id_idx" ON "chat"."chats"("folder_id");

-- CreateIndex
CREATE INDEX "chats_tags_idx" ON "chat"."chats" USING GIN ("tags");

-- CreateIndex
CREATE INDEX "chats_search_idx" ON "chat"."chats" USING GIN ("search");

-- CreateIndex
CREATE INDEX "messages_search_idx" ON "chat"."messages" USING GIN ("search");

-- Hand-added: folders did not exist before this migration, so any folder_id set so far points nowhere.
UPDATE "chat"."chats" SET "folder_id" = NULL WHERE "folder_id" IS NOT NULL;

-- AddForeignKey
ALTER TABLE "chat"."chats" ADD CONSTRAINT "chats_folder_id_fkey" FOREIGN KEY ("folder_id") REFERENCES "chat"."folders"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat"."folders" ADD CONSTRAINT "folders_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "chat"."folders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat"."shared_chats" ADD CONSTRAINT "shared_chats_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"."chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

