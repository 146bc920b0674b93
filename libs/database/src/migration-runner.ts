import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Applies the SQL migrations every data-owning service keeps in services/<name>/prisma/migrations.
 *
 * Why our own runner: `prisma migrate deploy` needs Prisma's native schema engine, which cannot be
 * downloaded on air-gapped machines (ours included). The SQL files are still written by Prisma
 * (`prisma migrate diff`, which runs offline); this applies them. It keeps Prisma's bookkeeping table
 * layout, one per service schema, and runs under a PostgreSQL advisory lock, so two copies (two Helm
 * hook Jobs racing, two developers' starts) are safe: the second waits, then finds nothing to do.
 */

export interface ServiceMigrations {
  service: string;
  /** The PostgreSQL schema the service owns. */
  schema: string;
  directory: string;
}

export interface AppliedMigration {
  service: string;
  name: string;
}

/** A fixed key for pg_advisory_lock: "parley migrations". */
const MIGRATION_LOCK_KEY = 0x7061726c;

export class MigrationError extends Error {}

/** Finds services/<name>/prisma/migrations under a root folder. */
export function discoverMigrations(root: string): ServiceMigrations[] {
  const servicesDir = join(root, 'services');
  if (!existsSync(servicesDir))
    throw new MigrationError(
      `No services folder under ${root}; run from the repository root or set MIGRATIONS_ROOT.`,
    );
  return readdirSync(servicesDir)
    .sort()
    .map((service) => ({
      service,
      schema: schemaNameOf(service),
      directory: join(servicesDir, service, 'prisma', 'migrations'),
    }))
    .filter((entry) => existsSync(entry.directory));
}

export function schemaNameOf(service: string): string {
  return service.replace(/-/g, '_');
}

function migrationNames(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort();
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function applyMigrations(
  databaseUrl: string,
  services: ServiceMigrations[],
  log: (message: string) => void = () => undefined,
): Promise<AppliedMigration[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'parley-migrate' });
  await client.connect();
  const applied: AppliedMigration[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    for (const entry of services) {
      const table = `"${entry.schema}"."_prisma_migrations"`;
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${entry.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        id VARCHAR(36) PRIMARY KEY,
        checksum VARCHAR(64) NOT NULL,
        finished_at TIMESTAMPTZ,
        migration_name VARCHAR(255) NOT NULL,
        logs TEXT,
        rolled_back_at TIMESTAMPTZ,
        started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        applied_steps_count INTEGER NOT NULL DEFAULT 0
      )`);
      const { rows } = await client.query<{ migration_name: string; checksum: string }>(
        `SELECT migration_name, checksum FROM ${table} WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      );
      const done = new Map(rows.map((row) => [row.migration_name, row.checksum]));
      for (const name of migrationNames(entry.directory)) {
        const sql = readFileSync(join(entry.directory, name, 'migration.sql'), 'utf8');
        const checksum = checksumOf(sql);
        const recorded = done.get(name);
        if (recorded !== undefined) {
          if (recorded !== checksum) {
            throw new MigrationError(
              `${entry.service} migration ${name} was changed after it was applied (checksum differs). ` +
                'Applied migrations are never edited: restore the file and add a new migration instead.',
            );
          }
          continue;
        }
        log(`applying ${entry.service}/${name}`);
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query(
            `INSERT INTO ${table} (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
            [randomUUID(), checksum, name],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new MigrationError(`${entry.service} migration ${name} failed: ${(error as Error).message}`);
        }
        applied.push({ service: entry.service, name });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return applied;
}
