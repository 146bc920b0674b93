import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import { filesV1 } from '@parley/proto';
import { RetrievalEvents } from '../events/retrieval-events';
import { FilesClient } from '../files/files.client';
import { KnowledgeRepository } from '../knowledge/knowledge.repository';
import { embeddingIdentity, RetrievalSettingsService, type Settings } from '../settings/retrieval-settings';
import {
  VECTOR_STORE,
  type ChunkInput,
  type SourceRow,
  type VectorStore,
} from '../vector-store/vector-store';
import { chunkText, embeddingInput } from './chunker';
import { ModelServerClient } from './model-server.client';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export type IndexOutcome = 'indexed' | 'unchanged' | 'waiting' | 'failed' | 'gone';

/** A failure that another attempt will not mend (the file's text could not be extracted, ...). */
export class PermanentIndexError extends Error {
  override readonly name = 'PermanentIndexError';
}

/**
 * Turns a source's text into stored chunks: split, embedded (when a model is set), written in one
 * transaction. Idempotent by source and content hash: the same text with the same embedding model is
 * not indexed again, so redeliveries and re-uploads never duplicate chunks.
 */
@Injectable()
export class Indexer {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(FilesClient) private readonly files: FilesClient,
    @Inject(ModelServerClient) private readonly models: ModelServerClient,
    @Inject(RetrievalSettingsService) private readonly settings: RetrievalSettingsService,
    @Inject(KnowledgeRepository) private readonly knowledge: KnowledgeRepository,
    @Inject(RetrievalEvents) private readonly events: RetrievalEvents,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Indexes a source by id: a file (read from the files service) or a text source. */
  async index(sourceId: string, { force = false, signal }: { force?: boolean; signal?: AbortSignal } = {}) {
    const existing = await this.store.getSource(sourceId);
    if (existing?.kind === 'text') return this.indexText(existing, force, signal);
    return this.indexFile(sourceId, existing, force, signal);
  }

  private async indexFile(
    fileId: string,
    existing: SourceRow | null,
    force: boolean,
    signal?: AbortSignal,
  ): Promise<IndexOutcome> {
    let file;
    try {
      file = await this.files.forIndexing(fileId, signal);
    } catch (error) {
      if (error instanceof DomainError && error.kind === ErrorKind.NotFound) {
        await this.remove(fileId);
        return 'gone';
      }
      throw error;
    }
    const source = {
      id: file.id,
      kind: 'file' as const,
      ownerUserId: file.userId,
      name: file.filename,
      contentSha256: existing?.contentSha256 ?? '',
      embeddingModel: existing?.embeddingModel ?? '',
      textContent: null,
    };
    if (file.status === filesV1.FileStatus.PENDING) {
      await this.setState(source, 'pending');
      return 'waiting';
    }
    if (file.status !== filesV1.FileStatus.COMPLETED) {
      const why =
        file.status === filesV1.FileStatus.FAILED
          ? file.error || 'Its text could not be extracted.'
          : 'The file was uploaded without processing, so it has no text to index; upload it again with processing.';
      await this.setState(source, 'failed', why);
      return 'failed';
    }
    return this.write(source, file.content, existing, force, signal);
  }

  private async indexText(source: SourceRow, force: boolean, signal?: AbortSignal): Promise<IndexOutcome> {
    return this.write(source, source.textContent ?? '', source, force, signal);
  }

  private async write(
    source: Omit<SourceRow, 'state' | 'chunkCount' | 'error' | 'indexedAt'>,
    text: string,
    existing: SourceRow | null,
    force: boolean,
    signal?: AbortSignal,
  ): Promise<IndexOutcome> {
    const settings = await this.settings.settings();
    const model = embeddingIdentity(settings);
    const contentSha256 = sha256(text);
    if (
      !force &&
      existing?.state === 'indexed' &&
      existing.contentSha256 === contentSha256 &&
      existing.embeddingModel === model
    ) {
      return 'unchanged';
    }
    await this.setState(source, 'indexing');
    const chunks = await this.chunks(settings, text, signal);
    await this.store.replaceChunks(source.id, chunks, {
      contentSha256,
      embeddingModel: model,
      language: settings.fullTextSearchLanguage,
    });
    this.logger.info({ sourceId: source.id, chunks: chunks.length, model }, 'source indexed');
    this.events.fileState(source, 'indexed', { chunkCount: chunks.length });
    await this.events.knowledge(await this.knowledge.basesOfFile(source.id), source.id, 'indexed');
    return 'indexed';
  }

  private async chunks(settings: Settings, text: string, signal?: AbortSignal): Promise<ChunkInput[]> {
    const pieces = await chunkText(text, {
      chunkSize: settings.chunkSize,
      chunkOverlap: settings.chunkOverlap,
      splitter: settings.textSplitter,
    });
    if (!embeddingIdentity(settings) || !pieces.length) return pieces;
    const vectors = await this.models.embed(settings, pieces.map(embeddingInput), signal);
    const dims = vectors[0]!.length;
    const state = await this.settings.get();
    if (state.embeddingDims !== dims) await this.settings.setEmbeddingDims(dims);
    return pieces.map((piece, i) => ({ ...piece, embedding: vectors[i] }));
  }

  /** Marks a source failed for good (the worker's last attempt). */
  async fail(sourceId: string, reason: string): Promise<void> {
    const existing = await this.store.getSource(sourceId);
    if (!existing) return;
    await this.setState(existing, 'failed', reason);
  }

  /** The file is gone: its chunks, its source row and its memberships. */
  async remove(fileId: string): Promise<void> {
    const bases = await this.knowledge.basesOfFile(fileId);
    await this.store.deleteSource(fileId);
    await this.knowledge.removeFileEverywhere(fileId);
    await this.events.knowledge(
      bases.map((b) => ({ ...b, fileIds: b.fileIds.filter((id) => id !== fileId) })),
      fileId,
    );
  }

  private async setState(
    source: Omit<SourceRow, 'state' | 'chunkCount' | 'error' | 'indexedAt'>,
    state: SourceRow['state'],
    error = '',
  ): Promise<void> {
    await this.store.upsertSource({ ...source, state, error });
    this.events.fileState(source, state, { error });
    if (state !== 'indexing')
      await this.events.knowledge(await this.knowledge.basesOfFile(source.id), source.id, state);
  }
}
