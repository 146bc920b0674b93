-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "chat";

-- CreateTable
CREATE TABLE "chat"."chats" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "models" JSONB NOT NULL DEFAULT '[]',
    "params" JSONB NOT NULL DEFAULT '{}',
    "meta" JSONB NOT NULL DEFAULT '{}',
    "current_message_id" TEXT,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "archived" BOOLEAN NOT NULL DEFAULT false,
    "folder_id" UUID,
    "share_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chats_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat"."messages" (
    "chat_id" UUID NOT NULL,
    "id" TEXT NOT NULL,
    "parent_id" TEXT,
    "seq" BIGSERIAL NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "model" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "timestamp" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("chat_id","id")
);

-- CreateIndex
CREATE UNIQUE INDEX "chats_share_id_key" ON "chat"."chats"("share_id");

-- CreateIndex
CREATE INDEX "chats_user_id_updated_at_idx" ON "chat"."chats"("user_id", "updated_at" DESC);

-- CreateIndex
CREATE INDEX "messages_chat_id_parent_id_idx" ON "chat"."messages"("chat_id", "parent_id");

-- AddForeignKey
ALTER TABLE "chat"."messages" ADD CONSTRAINT "messages_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"."chats"("id") ON DELETE CASCADE ON UPDATE CASCADE;

