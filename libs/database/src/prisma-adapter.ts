import { PrismaPg } from '@prisma/adapter-pg';
import { env, sensitive } from '@parley/config';

/**
 * The database variables of every service that owns data, Open WebUI's names. Each copy opens at most
 * DATABASE_POOL_SIZE connections: copies × services × pool size is the budget against PostgreSQL's
 * max_connections (the chart's NOTES print it).
 */
export function databaseEnv() {
  return {
    DATABASE_URL: sensitive(
      env.url(['postgres', 'postgresql'], 'postgresql://postgres@127.0.0.1:5432/parley'),
    ),
    DATABASE_POOL_SIZE: env.int(10, { min: 1, max: 500 }),
    /** Open WebUI's extra connections beyond the pool under load; here simply added to the pool's maximum. */
    DATABASE_POOL_MAX_OVERFLOW: env.int(0, { min: 0, max: 500 }),
    /** Seconds a query waits for a free connection (Open WebUI: DATABASE_POOL_TIMEOUT). */
    DATABASE_POOL_TIMEOUT: env.int(30, { min: 1, max: 600 }),
    /** Seconds after which a connection is replaced (Open WebUI: DATABASE_POOL_RECYCLE; 0 keeps them). */
    DATABASE_POOL_RECYCLE: env.int(3600, { min: 0, max: 86_400 }),
  };
}

export interface DatabaseConfig {
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_POOL_MAX_OVERFLOW: number;
  DATABASE_POOL_TIMEOUT: number;
  DATABASE_POOL_RECYCLE: number;
}

/**
 * The driver adapter every Prisma client in the project uses: the query compiler plus node-postgres,
 * so no native Prisma engine is needed at run time. Pool size and timeouts are set here once.
 */
export function createPgAdapter(config: DatabaseConfig): PrismaPg {
  return new PrismaPg({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE + config.DATABASE_POOL_MAX_OVERFLOW,
    connectionTimeoutMillis: config.DATABASE_POOL_TIMEOUT * 1000,
    idleTimeoutMillis: 30_000,
    maxLifetimeSeconds: config.DATABASE_POOL_RECYCLE,
    application_name: `parley-${process.env.OTEL_SERVICE_NAME ?? 'service'}`,
  });
}

/** Readiness: the service is ready only while PostgreSQL answers. */
export function registerPostgresReadiness(
  health: { register(name: string, check: () => Promise<boolean>): void },
  client: { $queryRawUnsafe(query: string): Promise<unknown> },
): void {
  health.register('postgres', async () => {
    await client.$queryRawUnsafe('SELECT 1');
    return true;
  });
}
