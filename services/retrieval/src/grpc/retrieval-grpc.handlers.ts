import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import {
  accessControlFromProto,
  accessControlToProto,
  actingAdmin,
  actingUser,
  GrpcServerHost,
  metaObjectOf,
  type Caller,
  type UserCaller,
} from '@parley/grpc';
import { retrievalV1 } from '@parley/proto';
import { fileNotFound } from '../files/file-ids';
import { FilesClient } from '../files/files.client';
import { Indexer } from '../indexing/indexer';
import { IndexWorker } from '../indexing/index.worker';
import type { KnowledgeFields } from '../knowledge/knowledge.repository';
import { KnowledgeRepository } from '../knowledge/knowledge.repository';
import { KnowledgeService, mayRead, type KnowledgeView } from '../knowledge/knowledge.service';
import { RETRIEVAL_CONFIG, RetrievalConfig } from '../retrieval.config';
import { ContextBuilder } from '../search/context-builder';
import { SearchService, type Hit, type Mode, type Target } from '../search/search.service';
import { ReindexService } from '../settings/reindex.service';
import {
  maskKey,
  RetrievalSettingsService,
  type Settings,
  type SettingsState,
} from '../settings/retrieval-settings';
import { VECTOR_STORE, type SourceRow, type VectorStore } from '../vector-store/vector-store';

const seconds = (date: Date | null) => BigInt(date ? Math.floor(date.getTime() / 1000) : 0);
const user = (caller: Caller) => actingUser(caller, 'retrieval');

const STATE: Record<SourceRow['state'], retrievalV1.IndexState> = {
  pending: retrievalV1.IndexState.PENDING,
  indexing: retrievalV1.IndexState.INDEXING,
  indexed: retrievalV1.IndexState.INDEXED,
  failed: retrievalV1.IndexState.FAILED,
};

function statusOf(fileId: string, row: SourceRow | undefined) {
  if (!row) return { fileId, state: retrievalV1.IndexState.PENDING };
  return {
    fileId,
    state: STATE[row.state],
    chunkCount: row.chunkCount,
    error: row.error,
    embeddingModel: row.embeddingModel,
    indexedAt: seconds(row.indexedAt),
  };
}

function toKnowledge(view: KnowledgeView, { files = true } = {}) {
  return {
    id: view.id,
    userId: view.userId,
    name: view.name,
    description: view.description,
    accessControl: accessControlToProto(view.accessControl),
    metaJson: JSON.stringify(view.meta),
    files: files
      ? view.files.map((f) => ({
          fileId: f.fileId,
          addedAt: seconds(f.addedAt),
          status: statusOf(f.fileId, view.states?.get(f.fileId)),
          fileName: view.states?.get(f.fileId)?.name ?? '',
        }))
      : [],
    fileIds: view.fileIds,
    createdAt: seconds(view.createdAt),
    updatedAt: seconds(view.updatedAt),
    writable: view.writable,
  };
}

function fieldsOf(input: retrievalV1.KnowledgeBaseInput | undefined): KnowledgeFields {
  if (!input) throw new DomainError(ErrorKind.InvalidArgument, 'knowledge_base is required.');
  return {
    name: input.name,
    description: input.description,
    accessControl: accessControlFromProto(input.accessControl),
    meta: metaObjectOf(input.metaJson),
  };
}

function targetsOf(targets: retrievalV1.SearchTarget[]): Target[] {
  return targets.map((t, i) => {
    if (t.target.case === 'fileId') return { fileId: t.target.value };
    if (t.target.case === 'knowledgeBaseId') return { knowledgeBaseId: t.target.value };
    throw new DomainError(
      ErrorKind.InvalidArgument,
      `targets.${i} names neither a file nor a knowledge base.`,
      {
        code: 'INVALID_SEARCH',
      },
    );
  });
}

const MODE: Record<Mode, retrievalV1.SearchMode> = {
  hybrid: retrievalV1.SearchMode.HYBRID,
  vector: retrievalV1.SearchMode.VECTOR,
  keyword: retrievalV1.SearchMode.KEYWORD,
};
const MODE_OF: Partial<Record<retrievalV1.SearchMode, Mode>> = {
  [retrievalV1.SearchMode.HYBRID]: 'hybrid',
  [retrievalV1.SearchMode.VECTOR]: 'vector',
  [retrievalV1.SearchMode.KEYWORD]: 'keyword',
};

function toHit(hit: Hit) {
  return {
    chunk: {
      id: hit.id,
      text: hit.text,
      fileId: hit.sourceId,
      fileName: hit.sourceName,
      knowledgeBaseId: hit.knowledgeBaseId,
      page: hit.page,
      heading: hit.heading,
      position: hit.position,
    },
    score: hit.score,
  };
}

function settingsToProto(s: Settings): retrievalV1.RetrievalSettings {
  return {
    $typeName: 'parley.retrieval.v1.RetrievalSettings',
    ...s,
    openaiApiKey: maskKey(s.openaiApiKey),
    externalRerankerApiKey: maskKey(s.externalRerankerApiKey),
  };
}

function settingsOf(input: retrievalV1.RetrievalSettings | undefined): Settings {
  if (!input) throw new DomainError(ErrorKind.InvalidArgument, 'settings is required.');
  const { $typeName: _, ...rest } = input;
  return rest as Settings;
}

/** The RetrievalService contract, mapped onto the use cases (who may call what: the proto's comments). */
@Injectable()
export class RetrievalGrpcHandlers implements OnModuleInit {
  constructor(
    @Inject(GrpcServerHost) private readonly host: GrpcServerHost,
    @Inject(RETRIEVAL_CONFIG) private readonly config: RetrievalConfig,
    @Inject(KnowledgeService) private readonly knowledge: KnowledgeService,
    @Inject(KnowledgeRepository) private readonly knowledgeRepo: KnowledgeRepository,
    @Inject(SearchService) private readonly search: SearchService,
    @Inject(ContextBuilder) private readonly context: ContextBuilder,
    @Inject(RetrievalSettingsService) private readonly settings: RetrievalSettingsService,
    @Inject(ReindexService) private readonly reindex: ReindexService,
    @Inject(Indexer) private readonly indexer: Indexer,
    @Inject(IndexWorker) private readonly worker: IndexWorker,
    @Inject(FilesClient) private readonly files: FilesClient,
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
  ) {}

  onModuleInit(): void {
    const { knowledge } = this;
    this.host.addService(retrievalV1.RetrievalService, {
      listKnowledgeBases: async (r, call) => {
        const page = await knowledge.list(user(call.caller), r.pageSize, r.pageToken, r.writableOnly);
        return {
          knowledgeBases: page.rows.map((row) => toKnowledge(row, { files: false })),
          nextPageToken: page.nextPageToken,
        };
      },
      createKnowledgeBase: async (r, call) => ({
        knowledgeBase: toKnowledge(await knowledge.create(user(call.caller), fieldsOf(r.knowledgeBase))),
      }),
      getKnowledgeBase: async (r, call) => ({
        knowledgeBase: toKnowledge(await knowledge.get(user(call.caller), r.id)),
      }),
      updateKnowledgeBase: async (r, call) => ({
        knowledgeBase: toKnowledge(
          await knowledge.update(user(call.caller), r.id, fieldsOf(r.knowledgeBase)),
        ),
      }),
      deleteKnowledgeBase: async (r, call) => {
        await knowledge.delete(user(call.caller), r.id);
        return {};
      },
      addKnowledgeFile: async (r, call) => ({
        knowledgeBase: toKnowledge(await knowledge.addFile(user(call.caller), r.id, r.fileId.toLowerCase())),
      }),
      removeKnowledgeFile: async (r, call) => ({
        knowledgeBase: toKnowledge(
          await knowledge.removeFile(user(call.caller), r.id, r.fileId.toLowerCase()),
        ),
      }),
      resetKnowledgeBase: async (r, call) => ({
        knowledgeBase: toKnowledge(await knowledge.reset(user(call.caller), r.id)),
      }),

      indexFile: async (r, call) => {
        const who = user(call.caller);
        const fileId = r.fileId.toLowerCase();
        const file = await this.files.asUser(who, fileId);
        if (file.userId !== who.userId && who.role !== 'admin') throw fileNotFound();
        await this.worker.request(fileId, true);
        return { status: statusOf(fileId, (await this.store.getSource(fileId)) ?? undefined) };
      },
      indexText: async (r, call) => {
        const who = user(call.caller);
        const name = r.name.trim() || 'Text';
        if (name.length > 255)
          throw new DomainError(ErrorKind.InvalidArgument, 'name must be at most 255 characters.');
        if (!r.content.trim()) throw new DomainError(ErrorKind.InvalidArgument, 'content must not be empty.');
        if (r.content.length > this.config.RAG_PROCESS_TEXT_MAX_CHARS)
          throw new DomainError(
            ErrorKind.InvalidArgument,
            `content must be at most ${this.config.RAG_PROCESS_TEXT_MAX_CHARS} characters (RAG_PROCESS_TEXT_MAX_CHARS).`,
            { code: 'TEXT_TOO_LONG' },
          );
        const id = randomUUID();
        await this.store.upsertSource({
          id,
          kind: 'text',
          ownerUserId: who.userId,
          name,
          contentSha256: '',
          embeddingModel: '',
          state: 'pending',
          error: '',
          textContent: r.content,
        });
        await this.indexer.index(id, { signal: call.signal });
        return { sourceId: id, status: statusOf(id, (await this.store.getSource(id)) ?? undefined) };
      },
      getFileIndexStatus: async (r, call) => {
        const fileId = r.fileId.toLowerCase();
        const row = await this.readableSource(user(call.caller), fileId);
        return { status: statusOf(fileId, row) };
      },

      search: async (r, call) => {
        const result = await this.search.search(user(call.caller), {
          query: r.query,
          targets: targetsOf(r.targets),
          topK: r.topK,
          mode: MODE_OF[r.mode],
          relevanceThreshold: r.relevanceThreshold,
        });
        return { hits: result.hits.map(toHit), mode: MODE[result.mode], reranked: result.reranked };
      },
      buildContext: async (r, call) => {
        const built = await this.context.build(user(call.caller), r.query, targetsOf(r.targets));
        return {
          prompt: built.prompt,
          bypass: built.bypass,
          sources: built.sources.map((s) => ({
            type: s.type,
            id: s.id,
            name: s.name,
            hits: s.hits.map(toHit),
          })),
        };
      },

      getSettings: async (_r, call) => {
        actingAdmin(call.caller, 'retrieval');
        return this.settingsAnswer(await this.settings.get());
      },
      updateSettings: async (r, call) => {
        actingAdmin(call.caller, 'retrieval');
        const { state, embeddingChanged } = await this.settings.save(settingsOf(r.settings));
        if (embeddingChanged) await this.reindex.start();
        return this.settingsAnswer(state);
      },
      reindexAll: async (_r, call) => {
        actingAdmin(call.caller, 'retrieval');
        return { reindex: await this.reindex.start() };
      },
    });
  }

  private async settingsAnswer(state: SettingsState) {
    return {
      settings: settingsToProto(state.settings),
      reindex: await this.reindex.progress(),
      embeddingDimensions: state.embeddingDims,
    };
  }

  /** A source's row if the user may read it (owner, admin, a reader of a base holding it). */
  private async readableSource(who: UserCaller, id: string): Promise<SourceRow | undefined> {
    const row = await this.store.getSource(id);
    if (row && (row.ownerUserId === who.userId || who.role === 'admin')) return row;
    if (row) {
      const bases = await this.knowledgeRepo.basesOfFile(id);
      if (bases.some((b) => mayRead(who, b))) return row;
      throw fileNotFound();
    }
    await this.files.asUser(who, id);
    return undefined;
  }
}
