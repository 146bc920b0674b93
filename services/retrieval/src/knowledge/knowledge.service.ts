import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { canRead, canWrite, requirePermission, type AccessControl, type UserCaller } from '@parley/grpc';
import { RetrievalEvents } from '../events/retrieval-events';
import { fileNotFound, UUID } from '../files/file-ids';
import { FilesClient } from '../files/files.client';
import { IndexWorker } from '../indexing/index.worker';
import { VECTOR_STORE, type SourceRow, type VectorStore } from '../vector-store/vector-store';
import { KnowledgeRepository, type KnowledgeFields, type KnowledgeRow } from './knowledge.repository';

export const knowledgeNotFound = () =>
  new DomainError(ErrorKind.NotFound, 'Knowledge base not found.', { code: 'KNOWLEDGE_NOT_FOUND' });

const MAX_FILES = 10_000;

const accessor = (user: UserCaller) => ({ userId: user.userId, role: user.role, groupIds: user.groupIds });

export function mayRead(user: UserCaller, base: KnowledgeRow): boolean {
  return canRead(accessor(user), base);
}
export function mayWrite(user: UserCaller, base: KnowledgeRow): boolean {
  return canWrite(accessor(user), base);
}

export interface KnowledgeView extends KnowledgeRow {
  writable: boolean;
  /** Indexing state of each file, when asked for. */
  states?: Map<string, SourceRow>;
}

/** Knowledge bases with Open WebUI's access control, for the acting user. */
@Injectable()
export class KnowledgeService {
  constructor(
    @Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository,
    @Inject(FilesClient) private readonly files: FilesClient,
    @Inject(IndexWorker) private readonly worker: IndexWorker,
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    @Inject(RetrievalEvents) private readonly events: RetrievalEvents,
  ) {}

  /** The bases the user may read (or write), newest first, from the page token on. */
  async list(
    user: UserCaller,
    pageSize: number,
    pageToken: string,
    writableOnly: boolean,
  ): Promise<{ rows: KnowledgeView[]; nextPageToken: string }> {
    const size = pageSize <= 0 ? 50 : Math.min(pageSize, 100);
    let cursor = decodeToken(pageToken);
    const rows: KnowledgeView[] = [];
    // Filtering by access happens after reading, so read in batches until the page is full.
    for (;;) {
      const batch = await this.repo.page(cursor, 200);
      for (const row of batch) {
        const ok = writableOnly ? mayWrite(user, row) : mayRead(user, row);
        if (ok) rows.push({ ...row, writable: mayWrite(user, row) });
        cursor = { createdAt: row.createdAt, id: row.id };
        if (rows.length === size) {
          const more = batch.indexOf(row) < batch.length - 1 || batch.length === 200;
          return { rows, nextPageToken: more ? encodeToken(cursor) : '' };
        }
      }
      if (batch.length < 200) return { rows, nextPageToken: '' };
    }
  }

  async get(user: UserCaller, id: string): Promise<KnowledgeView> {
    const row = await this.readable(user, id);
    return this.withStates(user, row);
  }

  async create(user: UserCaller, fields: KnowledgeFields): Promise<KnowledgeView> {
    requirePermission(user, 'workspace.knowledge');
    const row = await this.repo.create(user.userId, checkFields(fields));
    return { ...row, writable: true, states: new Map() };
  }

  async update(user: UserCaller, id: string, fields: KnowledgeFields): Promise<KnowledgeView> {
    await this.writable(user, id);
    const row = await this.repo.update(id, checkFields(fields));
    return this.withStates(user, row);
  }

  async delete(user: UserCaller, id: string): Promise<void> {
    await this.writable(user, id);
    await this.repo.delete(id);
  }

  async addFile(user: UserCaller, id: string, fileId: string): Promise<KnowledgeView> {
    const base = await this.writable(user, id);
    if (!UUID.test(fileId)) throw fileNotFound();
    if (base.fileIds.length >= MAX_FILES)
      throw new DomainError(
        ErrorKind.FailedPrecondition,
        `A knowledge base holds at most ${MAX_FILES} files; make another one.`,
        { code: 'KNOWLEDGE_FULL' },
      );
    // May this user read the file? The files service decides (NOT_FOUND otherwise).
    await this.files.asUser(user, fileId);
    if (await this.repo.addFile(id, fileId, user.userId)) {
      const source = await this.store.getSource(fileId);
      if (!source || source.state !== 'indexed') await this.worker.request(fileId);
    }
    const row = (await this.repo.find(id)) ?? base;
    await this.events.knowledge([row], fileId);
    return this.withStates(user, row);
  }

  async removeFile(user: UserCaller, id: string, fileId: string): Promise<KnowledgeView> {
    await this.writable(user, id);
    await this.repo.removeFile(id, fileId);
    const row = (await this.repo.find(id))!;
    await this.events.knowledge([row], fileId);
    return this.withStates(user, row);
  }

  async reset(user: UserCaller, id: string): Promise<KnowledgeView> {
    await this.writable(user, id);
    await this.repo.reset(id);
    const row = (await this.repo.find(id))!;
    await this.events.knowledge([row]);
    return this.withStates(user, row);
  }

  /** The base if the user may read it; NOT_FOUND otherwise (its existence is not revealed). */
  async readable(user: UserCaller, id: string): Promise<KnowledgeRow> {
    const row = UUID.test(id) ? await this.repo.find(id.toLowerCase()) : null;
    if (!row || !mayRead(user, row)) throw knowledgeNotFound();
    return row;
  }

  private async writable(user: UserCaller, id: string): Promise<KnowledgeRow> {
    const row = await this.readable(user, id);
    if (!mayWrite(user, row))
      throw new DomainError(
        ErrorKind.PermissionDenied,
        'You may read this knowledge base but not change it; ask its owner for write access.',
        { code: 'KNOWLEDGE_READ_ONLY' },
      );
    return row;
  }

  private async withStates(user: UserCaller, row: KnowledgeRow): Promise<KnowledgeView> {
    const states = new Map((await this.store.sourceStates(row.fileIds)).map((s) => [s.id, s]));
    return { ...row, writable: mayWrite(user, row), states };
  }
}

const invalid = (message: string) =>
  new DomainError(ErrorKind.InvalidArgument, message, { code: 'INVALID_KNOWLEDGE' });

function checkFields(fields: KnowledgeFields): KnowledgeFields {
  const name = fields.name.trim();
  if (!name || name.length > 200) throw invalid('name must be 1 to 200 characters.');
  if (fields.description.length > 10_000) throw invalid('description must be at most 10,000 characters.');
  if (JSON.stringify(fields.meta).length > 64_000) throw invalid('meta must be at most 64 kB of JSON.');
  checkAccess(fields.accessControl);
  return { ...fields, name };
}

function checkAccess(access: AccessControl | null): void {
  if (!access) return;
  const ids = [
    ...access.read.user_ids,
    ...access.read.group_ids,
    ...access.write.user_ids,
    ...access.write.group_ids,
  ];
  if (ids.length > 1_000) throw invalid('access_control may name at most 1,000 users and groups.');
  if (ids.some((id) => typeof id !== 'string' || id.length > 64))
    throw invalid('access_control ids must be strings of at most 64 characters.');
}

function encodeToken(cursor: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

function decodeToken(token: string): { createdAt: Date; id: string } | null {
  if (!token) return null;
  try {
    const [at, id] = JSON.parse(Buffer.from(token, 'base64url').toString()) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || !UUID.test(id)) throw new Error();
    return { createdAt, id };
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, 'page_token is not one this service gave out.', {
      code: 'INVALID_PAGE_TOKEN',
    });
  }
}
