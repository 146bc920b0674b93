export {
  applyMigrations,
  discoverMigrations,
  checksumOf,
  schemaNameOf,
  MigrationError,
} from './migration-runner';
export type { AppliedMigration, ServiceMigrations } from './migration-runner';
export { createPgAdapter, registerPostgresReadiness } from './prisma-adapter';
