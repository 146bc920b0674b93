-- CreateTable
CREATE TABLE "chat"."feedbacks" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "type" TEXT NOT NULL,
    "data" JSONB,
    "meta" JSONB,
    "snapshot" JSONB,
    "chat_id" TEXT,
    "message_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feedbacks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat"."evaluation_config" (
    "id" TEXT NOT NULL,
    "enable_arena_models" BOOLEAN NOT NULL,
    "arena_models" JSONB NOT NULL DEFAULT '[]',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluation_config_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "feedbacks_user_id_updated_at_idx" ON "chat"."feedbacks"("user_id", "updated_at" DESC);

-- CreateIndex
CREATE INDEX "feedbacks_updated_at_id_idx" ON "chat"."feedbacks"("updated_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "feedbacks_created_at_id_idx" ON "chat"."feedbacks"("created_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "feedbacks_user_id_chat_id_message_id_key" ON "chat"."feedbacks"("user_id", "chat_id", "message_id");

