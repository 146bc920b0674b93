export {
  applyMigrations,
  discoverMigrations,
  checksumOf,
  schemaNameOf,
  MigrationError,
} from './migration-runner';
export type { AppliedMigration, ServiceMigrations } from './migration-runner';
export { createPgAdapter, databaseEnv, registerPostgresReadiness } from './prisma-adapter';
export type { DatabaseConfig } from './prisma-adapter';
