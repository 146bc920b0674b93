import { env, loadConfigOrExit, sensitive, z } from '@parley/config';
import { createLogger } from '@parley/logging';
import { applyMigrations, discoverMigrations } from './migration-runner';

/** `node dist/libs/database/src/migrate.cli.js`: applies every service's migrations; what the Helm hook Job runs. */
const configSchema = z.object({
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  MIGRATIONS_ROOT: z.string().default(process.cwd()),
  LOG_LEVEL: env.logLevel(),
});

async function main(): Promise<void> {
  const config = loadConfigOrExit('migrate', configSchema);
  const logger = createLogger({ service: 'migrate', level: config.LOG_LEVEL });
  try {
    const services = discoverMigrations(config.MIGRATIONS_ROOT);
    const applied = await applyMigrations(config.DATABASE_URL, services, (message) => logger.info(message));
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
