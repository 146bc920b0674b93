import { PrismaPg } from '@prisma/adapter-pg';

/**
 * The driver adapter every Prisma client in the project uses: the query compiler plus node-postgres,
 * so no native Prisma engine is needed at run time. Pool size and timeouts are set here once.
 */
export function createPgAdapter(databaseUrl: string, poolSize = 10): PrismaPg {
  return new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
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
