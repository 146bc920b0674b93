-- AlterTable
ALTER TABLE "auth"."users" ADD COLUMN     "settings" JSONB NOT NULL DEFAULT '{}';

