-- CreateTable
CREATE TABLE "auth"."revocations" (
    "id" BIGSERIAL NOT NULL,
    "region" TEXT NOT NULL,
    "message" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revocations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "revocations_created_at_idx" ON "auth"."revocations"("created_at");

-- CreateIndex
CREATE INDEX "revocations_expires_at_idx" ON "auth"."revocations"("expires_at");

