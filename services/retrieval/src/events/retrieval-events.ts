import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@parley/logging';
import { EVENTS, NatsClient } from '@parley/nats';
import { eventsV1 } from '@parley/proto';
import type { KnowledgeRow } from '../knowledge/knowledge.repository';
import { VECTOR_STORE, type SourceState, type VectorStore } from '../vector-store/vector-store';

export const FILE_INDEX_STATE: Record<SourceState, eventsV1.FileIndexState> = {
  pending: eventsV1.FileIndexState.PENDING,
  indexing: eventsV1.FileIndexState.INDEXING,
  indexed: eventsV1.FileIndexState.INDEXED,
  failed: eventsV1.FileIndexState.FAILED,
};

/**
 * Indexing progress for people's sockets (core NATS; realtime forwards `file:status` to the file's
 * owner and `knowledge:status` to each base's owner). A lost notification loses nothing: the state is
 * in the store and GetKnowledgeBase reads it.
 */
@Injectable()
export class RetrievalEvents {
  constructor(
    @Inject(NatsClient) private readonly nats: NatsClient,
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  fileState(
    file: { id: string; ownerUserId: string },
    state: SourceState,
    extra: { chunkCount?: number; error?: string } = {},
  ): void {
    this.publish(() =>
      this.nats.publish(EVENTS.fileIndexStatus, {
        v: 1,
        fileId: file.id,
        userId: file.ownerUserId,
        state: FILE_INDEX_STATE[state],
        chunkCount: extra.chunkCount ?? 0,
        error: extra.error ?? '',
      }),
    );
  }

  /** A base's counts after a change of `fileId` (or of the base itself). */
  async knowledge(bases: KnowledgeRow[], fileId = '', state?: SourceState): Promise<void> {
    for (const base of bases) {
      const states = await this.store.sourceStates(base.fileIds).catch(() => []);
      this.publish(() =>
        this.nats.publish(EVENTS.knowledgeStatus, {
          v: 1,
          knowledgeBaseId: base.id,
          userId: base.userId,
          fileId,
          fileState: state ? FILE_INDEX_STATE[state] : eventsV1.FileIndexState.UNSPECIFIED,
          filesTotal: base.fileIds.length,
          filesIndexed: states.filter((s) => s.state === 'indexed').length,
          filesFailed: states.filter((s) => s.state === 'failed').length,
        }),
      );
    }
  }

  private publish(send: () => void): void {
    try {
      send();
    } catch (error) {
      this.logger.warn({ err: error }, 'retrieval status not published');
    }
  }
}
