-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "model_gateway";

-- CreateTable
CREATE TABLE "model_gateway"."connections" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "base_url" TEXT NOT NULL,
    "api_key_encrypted" TEXT,
    "prefix_id" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "model_ids" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

