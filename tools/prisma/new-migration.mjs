// Writes the next migration of a service from the change between its schema.prisma and the schema the
// existing migrations produce (kept as prisma/migrations/schema.snapshot.prisma), then updates the
// snapshot. Read the SQL before committing; never edit a migration that has been merged.
//   node tools/prisma/new-migration.mjs <service> <short_name>
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffSql } from './prisma-cli.mjs';

const [service, name] = process.argv.slice(2);
if (!service || !name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: node tools/prisma/new-migration.mjs <service> <short_name_in_snake_case>');
  process.exit(2);
}
const dir = join('services', service, 'prisma');
const schema = join(dir, 'schema.prisma');
const snapshot = join(dir, 'migrations', 'schema.snapshot.prisma');
const sql = diffSql(schema, existsSync(snapshot) ? snapshot : undefined);
if (!sql.replace(/--.*$/gm, '').trim()) {
  console.log(`${service}: schema.prisma matches the migrations; nothing to write.`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const folder = join(dir, 'migrations', `${stamp}_${name}`);
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'migration.sql'), sql);
copyFileSync(schema, snapshot);
console.log(`Wrote ${join(folder, 'migration.sql')}; read it before you commit.`);
