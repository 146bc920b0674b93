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

export interface MigrationOptions {
  /** How long to wait for another runner's lock before giving up, naming who holds it (default 5 min). */
  lockWaitMs?: number;
  /** PostgreSQL lock_timeout for each statement: DDL that waits on the app's locks fails instead of queueing every query behind it. */
  lockTimeout?: string;
  /** PostgreSQL statement_timeout for each statement. */
  statementTimeout?: string;
  /** How often to try for the lock (tests shorten it). */
  pollMs?: number;
}

/** Who holds the migration lock now, as a sentence for the log (pid, application, address, since when). */
async function lockHolder(client: Client): Promise<string> {
  const { rows } = await client.query<{
    pid: number;
    application_name: string;
    client_addr: string | null;
    backend_start: Date;
  }>(
    `SELECT a.pid, a.application_name, a.client_addr::text AS client_addr, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND a.pid <> pg_backend_pid()`,
    [MIGRATION_LOCK_KEY],
  );
  if (!rows.length) return 'an unknown session';
  const r = rows[0]!;
  return `pid ${r.pid} (${r.application_name || 'no application name'}${r.client_addr ? ` from ${r.client_addr}` : ''}, connected since ${new Date(r.backend_start).toISOString()})`;
}

/**
 * Takes the migration lock, waiting at most lockWaitMs and saying who holds it meanwhile. A session-level
 * advisory lock needs a session of its own: behind PgBouncer in transaction mode it is not held, so
 * point MIGRATION_DATABASE_URL at PostgreSQL directly (docs/database-migrations.md).
 */
async function takeMigrationLock(client: Client, options: MigrationOptions, log: (message: string) => void) {
  const waitMs = options.lockWaitMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const started = Date.now();
  let lastReport = 0;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      MIGRATION_LOCK_KEY,
    ]);
    if (rows[0]?.locked) return;
    const waited = Date.now() - started;
    if (waited >= waitMs) {
      throw new MigrationError(
        `Another migration run holds the lock: ${await lockHolder(client)}; gave up after ${Math.round(waited / 1000)} s. ` +
          'If that session is stuck, end it (SELECT pg_terminate_backend(<pid>)) and run again.',
      );
    }
    if (lastReport === 0 || Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      log(`waiting for the migration lock, held by ${await lockHolder(client)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export async function applyMigrations(
  databaseUrl: string,
  services: ServiceMigrations[],
  log: (message: string) => void = () => undefined,
  options: MigrationOptions = {},
): Promise<AppliedMigration[]> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'parley-migrate' });
  await client.connect();
  const applied: AppliedMigration[] = [];
  try {
    await takeMigrationLock(client, options, log);
    if (options.lockTimeout)
      await client.query(`SELECT set_config('lock_timeout', $1, false)`, [options.lockTimeout]);
    if (options.statementTimeout)
      await client.query(`SELECT set_config('statement_timeout', $1, false)`, [options.statementTimeout]);
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
