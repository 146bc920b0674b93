import {
  checkConfigAndExit,
  env,
  loadConfigOrExit,
  openWebUiEnvironment,
  sensitive,
  z,
} from '@parley/config';
import { createLogger } from '@parley/logging';
import { applyMigrations, discoverMigrations } from './migration-runner';

/** `node dist/libs/database/src/migrate.cli.js`: applies every service's migrations; what the Helm hook Job runs. */
const duration = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(ms|s|min|h)?$/, 'must be a PostgreSQL duration like 10s, 500ms or 5min (0 turns it off)')
    .default(fallback);

const configSchema = z.object({
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  /** A role allowed to run DDL, on a direct connection (not through PgBouncer); DATABASE_URL when unset. */
  MIGRATION_DATABASE_URL: sensitive(env.url(['postgres', 'postgresql']).optional()),
  /** Each migration statement waits at most this long for a lock held by the running app. */
  MIGRATION_LOCK_TIMEOUT: duration('10s'),
  MIGRATION_STATEMENT_TIMEOUT: duration('15min'),
  /** How long to wait for another migration run (another region's Job) before failing, naming it. */
  MIGRATION_LOCK_WAIT_SECONDS: env.int(300, { min: 1, max: 86_400 }),
  MIGRATIONS_ROOT: z.string().default(process.cwd()),
  LOG_LEVEL: env.logLevel(),
});

async function main(): Promise<void> {
  let source: Record<string, string | undefined>;
  try {
    source = openWebUiEnvironment();
  } catch (error) {
    process.stderr.write(`migrate: cannot start. ${(error as Error).message}\n`);
    process.exit(78);
  }
  if (process.argv.includes('--check-config')) checkConfigAndExit('migrate', configSchema, source);
  const config = loadConfigOrExit('migrate', configSchema, source);
  const logger = createLogger({ service: 'migrate', level: config.LOG_LEVEL });
  try {
    const services = discoverMigrations(config.MIGRATIONS_ROOT);
    const applied = await applyMigrations(
      config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL,
      services,
      (message) => logger.info(message),
      {
        lockWaitMs: config.MIGRATION_LOCK_WAIT_SECONDS * 1000,
        lockTimeout: config.MIGRATION_LOCK_TIMEOUT,
        statementTimeout: config.MIGRATION_STATEMENT_TIMEOUT,
      },
    );
    logger.info(
      { applied: applied.length, services: services.map((s) => s.service) },
      applied.length ? 'migrations applied' : 'database is up to date',
    );
  } catch (error) {
    logger.error({ err: error }, `migration failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

void main();
