import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, repoRoot, TestDatabase } from '@parley/testing';
import { applyMigrations, discoverMigrations, MigrationError } from '@parley/database';

async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Everything about a schema that a migration decides: columns, defaults, indexes, constraints. */
async function catalog(url: string, schema: string): Promise<string[]> {
  const columns = await query<{ line: string }>(
    url,
    `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name <> '_prisma_migrations'`,
  );
  const indexes = await query<{ line: string }>(
    url,
    `SELECT indexdef AS line FROM pg_indexes WHERE schemaname = '${schema}' AND tablename <> '_prisma_migrations'`,
  );
  const constraints = await query<{ line: string }>(
    url,
    `SELECT c.conname || ' ' || pg_get_constraintdef(c.oid) AS line FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = '${schema}' AND c.conname NOT LIKE '_prisma_migrations%'`,
  );
  return [...columns, ...indexes, ...constraints].map((row) => row.line).sort();
}

/** The migration runner and the migrations themselves, against the real PostgreSQL. */
describe('database migrations', () => {
  const root = repoRoot();
  /** How many migration folders a service has (each is applied exactly once). */
  const migrationCount = (service: string) =>
    readdirSync(join(root, 'services', service, 'prisma', 'migrations'), { withFileTypes: true }).filter(
      (e) => e.isDirectory(),
    ).length;
  const databases: TestDatabase[] = [];
  const fresh = async () => {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    return db;
  };

  afterAll(async () => {
    await Promise.all(databases.map((db) => db.drop()));
  });

  it('applies every service migration once, and a second run finds nothing to do', async () => {
    const db = await fresh();
    const services = discoverMigrations(root);
    expect(services.map((s) => s.service)).toEqual(['auth', 'chat', 'files', 'model-gateway', 'retrieval']);
    const first = await applyMigrations(db.url, services);
    expect(first.length).toBeGreaterThanOrEqual(services.length);
    expect(await applyMigrations(db.url, services)).toEqual([]);
    const tables = await query<{ table_schema: string }>(
      db.url,
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema IN ('auth','chat','files','model_gateway','retrieval')`,
    );
    expect(tables.map((t) => t.table_schema).sort()).toEqual([
      'auth',
      'chat',
      'files',
      'model_gateway',
      'retrieval',
    ]);
  });

  it('is safe when two runners race: each migration is applied exactly once', async () => {
    const db = await fresh();
    const services = discoverMigrations(root);
    const [a, b] = await Promise.all([applyMigrations(db.url, services), applyMigrations(db.url, services)]);
    expect(a.length + b.length).toBe(Math.max(a.length, b.length));
    const rows = await query<{ n: string }>(db.url, 'SELECT count(*) AS n FROM chat._prisma_migrations');
    expect(Number(rows[0]!.n)).toBe(migrationCount('chat'));
  });

  it('is safe when two processes race (the Helm hook Job case)', async () => {
    const db = await fresh();
    const cli = join(root, 'dist/libs/database/src/migrate.cli.js');
    const run = () =>
      new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [cli], {
          cwd: root,
          env: { PATH: process.env.PATH, DATABASE_URL: db.url, LOG_LEVEL: 'error' },
          stdio: 'ignore',
        });
        child.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    const rows = await query<{ n: string }>(db.url, 'SELECT count(*) AS n FROM auth._prisma_migrations');
    expect(Number(rows[0]!.n)).toBe(migrationCount('auth'));
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const db = await fresh();
    const copy = mkdtempSync(join(tmpdir(), 'parley-migrations-'));
    cpSync(join(root, 'services'), join(copy, 'services'), {
      recursive: true,
      filter: (src) => !src.includes('node_modules') && !src.includes('/src'),
    });
    await applyMigrations(db.url, discoverMigrations(copy));
    const edited = join(copy, 'services/chat/prisma/migrations/20261121000000_init/migration.sql');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}\n-- a later edit\n`);
    await expect(applyMigrations(db.url, discoverMigrations(copy))).rejects.toThrow(MigrationError);
    await expect(applyMigrations(db.url, discoverMigrations(copy))).rejects.toThrow(
      /was changed after it was applied/,
    );
  });

  it('waits a bounded time for a lock another run holds, names the holder, and then gives up', async () => {
    const db = await fresh();
    const holder = new Client({ connectionString: db.url, application_name: 'stuck-migration-run' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [0x7061726c]);
      const logged: string[] = [];
      const run = applyMigrations(db.url, discoverMigrations(root), (line) => logged.push(line), {
        lockWaitMs: 1_000,
        pollMs: 50,
      });
      await expect(run).rejects.toThrow(/holds the lock: pid \d+ \(stuck-migration-run/);
      await expect(run).rejects.toThrow(/pg_terminate_backend/);
      expect(
        logged.some((line) =>
          /waiting for the migration lock, held by pid \d+ \(stuck-migration-run/.test(line),
        ),
      ).toBe(true);
      // Once the holder lets go, a run goes through.
      await holder.query('SELECT pg_advisory_unlock($1)', [0x7061726c]);
      expect(
        (await applyMigrations(db.url, discoverMigrations(root), undefined, { lockWaitMs: 1_000 })).length,
      ).toBeGreaterThan(0);
    } finally {
      await holder.end();
    }
  });

  it('fails a migration that waits on the running app’s locks after lock_timeout, leaving nothing half-done', async () => {
    const db = await fresh();
    const copy = mkdtempSync(join(tmpdir(), 'parley-migrations-'));
    cpSync(join(root, 'services/chat/prisma'), join(copy, 'services/chat/prisma'), { recursive: true });
    await applyMigrations(db.url, discoverMigrations(copy));
    const next = join(copy, 'services/chat/prisma/migrations/20990101000000_add_column');
    mkdirSync(next);
    writeFileSync(join(next, 'migration.sql'), 'ALTER TABLE chat.chats ADD COLUMN spec_extra int;');
    // The app in the middle of a transaction that read the table: ALTER TABLE must wait for it.
    const app = new Client({ connectionString: db.url });
    await app.connect();
    try {
      await app.query('BEGIN');
      await app.query('SELECT count(*) FROM chat.chats');
      await expect(
        applyMigrations(db.url, discoverMigrations(copy), undefined, { lockTimeout: '200ms' }),
      ).rejects.toThrow(
        /chat migration 20990101000000_add_column failed: canceling statement due to lock timeout/,
      );
      await app.query('ROLLBACK');
      const columns = await query(
        db.url,
        `SELECT 1 FROM information_schema.columns WHERE table_schema = 'chat' AND column_name = 'spec_extra'`,
      );
      expect(columns).toEqual([]);
    } finally {
      await app.end();
    }
  });

  it('rolls back a failing migration completely and says which one failed', async () => {
    const db = await fresh();
    const copy = mkdtempSync(join(tmpdir(), 'parley-migrations-'));
    cpSync(join(root, 'services/files/prisma'), join(copy, 'services/files/prisma'), { recursive: true });
    const bad = join(copy, 'services/files/prisma/migrations/20990101000000_bad');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'migration.sql'),
      'CREATE TABLE files.half_done (id int);\nSELECT * FROM no_such_table;',
    );
    await expect(applyMigrations(db.url, discoverMigrations(copy))).rejects.toThrow(
      /files migration 20990101000000_bad failed/,
    );
    const leftovers = await query(
      db.url,
      `SELECT 1 FROM information_schema.tables WHERE table_schema = 'files' AND table_name = 'half_done'`,
    );
    expect(leftovers).toEqual([]);
  });

  describe.each(['auth', 'chat', 'files', 'model-gateway', 'retrieval'])('%s schema', (service) => {
    const prismaDir = join(root, 'services', service, 'prisma');

    it('has migrations that produce exactly what schema.prisma describes', async () => {
      const schemaName = service.replace(/-/g, '_');
      const migrated = await fresh();
      await applyMigrations(
        migrated.url,
        discoverMigrations(root).filter((s) => s.service === service),
      );
      const expected = await fresh();
      const sql = execFileSync(
        process.execPath,
        [join(root, 'tools/prisma/print-schema-sql.mjs'), join(prismaDir, 'schema.prisma')],
        { cwd: root, encoding: 'utf8' },
      );
      await query(expected.url, sql);
      expect(await catalog(migrated.url, schemaName)).toEqual(await catalog(expected.url, schemaName));
    });

    it('has a snapshot that matches schema.prisma (no schema change without a migration)', () => {
      expect(readFileSync(join(prismaDir, 'migrations/schema.snapshot.prisma'), 'utf8')).toBe(
        readFileSync(join(prismaDir, 'schema.prisma'), 'utf8'),
      );
    });
  });
});
