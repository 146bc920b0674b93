import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@parley/logging';
import { IndexWorker } from '../indexing/index.worker';
import { VECTOR_STORE, type VectorStore } from '../vector-store/vector-store';
import { RetrievalSettingsService } from './retrieval-settings';

export interface ReindexProgress {
  running: boolean;
  total: number;
  done: number;
  failed: number;
}

/**
 * Re-indexing every source in the background (a new embedding model, or an admin's request): every
 * source is marked pending and gets a job on the durable work queue, which any copy works through;
 * progress is read from the store (sources still pending or indexing), so it survives restarts.
 */
@Injectable()
export class ReindexService {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(IndexWorker) private readonly worker: IndexWorker,
    @Inject(RetrievalSettingsService) private readonly settings: RetrievalSettingsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<ReindexProgress> {
    const total = await this.store.markAllPending();
    await this.settings.setReindexTotal(total);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await this.store.allSourceIds(after, 500);
      for (const id of ids) await this.worker.request(id, true);
      if (ids.length < 500) break;
      after = ids[ids.length - 1]!;
    }
    this.logger.info({ total }, 're-index started');
    return this.progress();
  }

  async progress(): Promise<ReindexProgress> {
    const [{ unfinished, failed, total: sources }, state] = await Promise.all([
      this.store.countSources(),
      this.settings.get(),
    ]);
    const total = Math.max(state.reindexTotal, unfinished);
    return {
      running: unfinished > 0,
      total: total || sources,
      done: Math.max(0, (total || sources) - unfinished),
      failed,
    };
  }
}
