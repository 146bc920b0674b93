import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { applyMigrations, discoverMigrations } from '@parley/database';
import { repoRoot } from './repo-root';
import { testInfrastructure } from './test-infrastructure';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh database with every service's migrations applied, dropped at the end of the suite. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const { databaseUrl } = await testInfrastructure();
  const name = `parley_test_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  if (options.migrate !== false) await applyMigrations(url.toString(), discoverMigrations(repoRoot()));
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
