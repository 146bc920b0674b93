-- AlterTable
ALTER TABLE "auth"."users" ADD COLUMN     "oauth_sub" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "users_oauth_sub_key" ON "auth"."users"("oauth_sub");

