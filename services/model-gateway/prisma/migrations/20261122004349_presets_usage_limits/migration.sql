-- CreateTable
CREATE TABLE "model_gateway"."presets" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "base_model_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "system_prompt" TEXT NOT NULL DEFAULT '',
    "params" JSONB NOT NULL DEFAULT '{}',
    "knowledge_ids" JSONB NOT NULL DEFAULT '[]',
    "access_control" JSONB,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "meta" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "presets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_gateway"."usage_daily" (
    "user_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "model_id" TEXT NOT NULL,
    "prompt_tokens" BIGINT NOT NULL DEFAULT 0,
    "completion_tokens" BIGINT NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "estimated_requests" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("user_id","day","model_id")
);

-- CreateTable
CREATE TABLE "model_gateway"."usage_limits" (
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "requests_per_minute" INTEGER,
    "tokens_per_day" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_limits_pkey" PRIMARY KEY ("subject_type","subject_id")
);

-- CreateIndex
CREATE INDEX "usage_daily_day_idx" ON "model_gateway"."usage_daily"("day");

