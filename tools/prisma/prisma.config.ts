// Prisma CLI config for developers' `prisma migrate diff` (tools/prisma/new-migration.mjs): Prisma's
// WebAssembly schema engine through the pg adapter, so writing a migration needs no native engine
// download. Services never use this at run time. See docs/database-migrations.md.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  async adapter() {
    // allowExitOnIdle: the CLI exits as soon as it is done instead of waiting out the pool's idle timer.
    return new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
      allowExitOnIdle: true,
    });
  },
});
