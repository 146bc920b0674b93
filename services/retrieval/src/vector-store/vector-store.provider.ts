import type { FactoryProvider } from '@nestjs/common';
import { HealthRegistry } from '@parley/lifecycle';
import { LOGGER, type Logger } from '@parley/logging';
import { RETRIEVAL_CONFIG, type RetrievalConfig } from '../retrieval.config';
import { PgVectorStore } from './pgvector-store';
import { VECTOR_STORE, type VectorStore } from './vector-store';

const START_ATTEMPTS = 30;

/**
 * The store VECTOR_DB names, migrated before the service takes work. An unreachable store is retried
 * for half a minute at start (a database still booting), then start-up fails with the reason; after
 * that, readiness says `vector_store: down` while it is away and queries fail with UNAVAILABLE.
 */
export const vectorStoreProvider: FactoryProvider<VectorStore> = {
  provide: VECTOR_STORE,
  inject: [RETRIEVAL_CONFIG, HealthRegistry, LOGGER],
  useFactory: async (config: RetrievalConfig, health: HealthRegistry, logger: Logger) => {
    const store = new PgVectorStore(
      config.PGVECTOR_DB_URL ?? config.DATABASE_URL,
      config.PGVECTOR_POOL_SIZE,
      config.PGVECTOR_HNSW_EF_SEARCH,
    );
    for (let attempt = 1; ; attempt++) {
      try {
        await store.migrate();
        break;
      } catch (error) {
        const reason = (error as Error).message;
        if (/extension "vector"|vector\.control/i.test(reason) || attempt >= START_ATTEMPTS) {
          await store.close().catch(() => undefined);
          throw new Error(
            `The vector store (PGVECTOR_DB_URL, else DATABASE_URL) cannot be used: ${reason}. ` +
              'It needs PostgreSQL with the pgvector extension (docs/retrieval.md).',
          );
        }
        logger.warn({ attempt, reason }, 'vector store not reachable yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    health.register('vector_store', async () => {
      await store.ping();
      return true;
    });
    return store;
  },
};
