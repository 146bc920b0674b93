-- AlterTable
ALTER TABLE "auth"."users" ADD COLUMN     "info" JSONB,
ADD COLUMN     "last_active_at" TIMESTAMPTZ(3);

