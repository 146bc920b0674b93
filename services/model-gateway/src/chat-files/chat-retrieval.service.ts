import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorKind } from '@parley/errors';
import { LOGGER, type Logger } from '@parley/logging';
import type { ActingUser } from '../authorization/acting-user';
import { contentParts, referenceOf } from './chat-files';
import { FilesClient } from './files.client';
import { type AnswerSource, RetrievalClient, type RetrievalTarget } from './retrieval.client';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  !!value && typeof value === 'object' && !Array.isArray(value);

/** A `{"type": "collection", "id": ...}` entry (Open WebUI's knowledge base in a message's files). */
const collectionOf = (entry: unknown): string | undefined =>
  isObject(entry) && entry.type === 'collection' && typeof entry.id === 'string' && entry.id
    ? entry.id
    : undefined;

const textOf = (content: unknown) =>
  contentParts(content)
    .filter((p) => p.type === 'text')
    .map((p) => String(p.text ?? ''))
    .join('\n')
    .trim();

export interface Grounded<T> {
  body: T;
  sources: AnswerSource[];
}

/**
 * Answers grounded in documents (docs/retrieval.md): the documents and knowledge bases of a
 * conversation (message `files`, `{"type": "collection"}` entries, a preset's knowledge) are searched
 * with the last question, as the user, and the hits replace that question with RAG_TEMPLATE filled in;
 * `sources` are what the answer cites. Images stay for ChatFilesService. When retrieval is off or
 * bypassed, or found nothing in files that may not be indexed yet, documents go in whole instead
 * (full-context mode), so a file attached a second ago still reaches the model.
 */
@Injectable()
export class ChatRetrievalService {
  constructor(
    @Inject(RetrievalClient) private readonly retrieval: RetrievalClient,
    @Inject(FilesClient) private readonly files: FilesClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async ground<T extends Json & { messages?: unknown }>(
    user: ActingUser,
    body: T,
    presetKnowledgeIds: readonly string[] = [],
  ): Promise<Grounded<T>> {
    let knowledgeIds = presetKnowledgeIds;
    const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
    const lastUser = messages.map((m) => m?.role).lastIndexOf('user');
    const formFiles = Array.isArray(body.files) ? body.files : [];
    // A preset's knowledge needs retrieval; without it the preset still answers (as before retrieval).
    if (!this.retrieval.enabled) knowledgeIds = [];
    const hasCollections =
      formFiles.some((f) => collectionOf(f)) ||
      messages.some((m) => Array.isArray(m?.files) && m.files.some((f) => collectionOf(f)));
    if (!this.retrieval.enabled || lastUser < 0) {
      if (hasCollections && !this.retrieval.enabled)
        throw new DomainError(
          ErrorKind.FailedPrecondition,
          'Knowledge bases need the retrieval service, which this installation has not connected (RETRIEVAL_GRPC_URL).',
          { code: 'RETRIEVAL_NOT_CONFIGURED' },
        );
      return { body, sources: [] };
    }
    const query = textOf(messages[lastUser]!.content);

    // Every document and collection of the conversation; images are left where they are.
    const targets: RetrievalTarget[] = knowledgeIds.map((id) => ({ knowledgeBaseId: id }));
    const documents = new Set<string>();
    const keep = async (entries: unknown[]): Promise<unknown[]> => {
      const kept: unknown[] = [];
      for (const entry of entries) {
        const collection = collectionOf(entry);
        if (collection) {
          targets.push({ knowledgeBaseId: collection });
          continue;
        }
        const ref = referenceOf(entry);
        if (ref && 'fileId' in ref && !(isObject(entry) && entry.type === 'image')) {
          const info = await this.files.info(user, ref.fileId);
          if (!info.contentType.startsWith('image/')) {
            if (!documents.has(info.id)) targets.push({ fileId: info.id });
            documents.add(info.id);
          }
        }
        kept.push(entry);
      }
      return kept;
    };
    const nextForm = await keep(formFiles);
    const nextMessages = await Promise.all(
      messages.map(async (m) => (Array.isArray(m?.files) ? { ...m, files: await keep(m.files) } : m)),
    );
    if (!targets.length || !query)
      return { body: withoutCollections(body, nextMessages, nextForm), sources: [] };

    const context = await this.retrieval.context(user, query, dedupe(targets)).catch((error: unknown) => {
      // Knowledge bases cannot do without retrieval; files can (they go in whole).
      if (targets.some((t) => 'knowledgeBaseId' in t)) throw error;
      this.logger.warn({ err: error }, 'retrieval failed; documents go in whole');
      return undefined;
    });
    const onlyFiles = targets.every((t) => 'fileId' in t);
    if (!context || context.bypass || (!context.sources.length && onlyFiles))
      return { body: withoutCollections(body, nextMessages, nextForm), sources: [] };

    // Found: the documents are answered by their chunks, not put in whole.
    const strip = (entries: unknown[]) =>
      entries.filter((e) => {
        const ref = referenceOf(e);
        return !(ref && 'fileId' in ref && documents.has(ref.fileId));
      });
    const grounded = nextMessages.map((m, i) => {
      const files = Array.isArray(m?.files) ? strip(m.files) : undefined;
      if (i !== lastUser || !context.prompt) return files ? { ...m, files } : m;
      const parts = contentParts(m.content).filter((p) => p.type !== 'text');
      const content = parts.length ? [{ type: 'text', text: context.prompt }, ...parts] : context.prompt;
      return { ...m, content, ...(files ? { files } : {}) };
    });
    return {
      body: { ...body, messages: grounded, ...(Array.isArray(body.files) ? { files: strip(nextForm) } : {}) },
      sources: context.sources,
    };
  }
}

function withoutCollections<T extends Json>(body: T, messages: Json[], formFiles: unknown[]): T {
  return { ...body, messages, ...(Array.isArray(body.files) ? { files: formFiles } : {}) };
}

function dedupe(targets: RetrievalTarget[]): RetrievalTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = 'fileId' in t ? `f:${t.fileId}` : `k:${t.knowledgeBaseId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
