import { z } from '@parley/config';
import { filesV1, retrievalV1 } from '@parley/proto';
import {
  accessControlForm,
  accessControlJson,
  accessControlToProto,
  idList,
} from '../access/access-control-json';

/** Open WebUI's KnowledgeForm. `data.file_ids` is honoured on create (files are added after it). */
export const knowledgeForm = z.object({
  name: z
    .string({ required_error: 'is required', invalid_type_error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters'),
  description: z
    .string({ invalid_type_error: 'must be a string' })
    .max(10_000, 'must be at most 10000 characters')
    .default(''),
  data: z
    .object(
      { file_ids: idList.max(100, 'may list at most 100 files; add more with /file/add').optional() },
      { invalid_type_error: 'must be an object' },
    )
    .passthrough()
    .nullable()
    .optional(),
  access_control: accessControlForm,
});
export type KnowledgeForm = z.infer<typeof knowledgeForm>;

export function knowledgeInput(form: KnowledgeForm) {
  return {
    name: form.name,
    description: form.description,
    accessControl: accessControlToProto(form.access_control),
  };
}

const STATE: Partial<Record<retrievalV1.IndexState, 'pending' | 'indexing' | 'indexed' | 'failed'>> = {
  [retrievalV1.IndexState.PENDING]: 'pending',
  [retrievalV1.IndexState.INDEXING]: 'indexing',
  [retrievalV1.IndexState.INDEXED]: 'indexed',
  [retrievalV1.IndexState.FAILED]: 'failed',
};

export function indexStateName(state: retrievalV1.IndexState | undefined) {
  return STATE[state ?? retrievalV1.IndexState.UNSPECIFIED] ?? 'pending';
}

/** A file as the files service described it to the caller (absent: the caller may not read it). */
export type FileInfo = Pick<
  filesV1.File,
  'id' | 'filename' | 'contentType' | 'size' | 'createdAt' | 'updatedAt'
>;

function fileMeta(id: string, file: FileInfo | undefined, indexedName = '') {
  return {
    id,
    meta: {
      // A reader of a shared base may not see the file itself; the name it was indexed under stands in.
      name: file?.filename || indexedName,
      content_type: file?.contentType ?? '',
      size: Number(file?.size ?? 0n),
    },
    created_at: Number(file?.createdAt ?? 0n),
    updated_at: Number(file?.updatedAt ?? 0n),
  };
}

/**
 * A knowledge base in Open WebUI's shape. `files` comes from the base's files (with their index state)
 * when the answer has them, else from its file ids (lists).
 */
export function knowledgeJson(kb: retrievalV1.KnowledgeBase, files: ReadonlyMap<string, FileInfo>) {
  let meta: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(kb.metaJson || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      meta = parsed as Record<string, unknown>;
  } catch {
    // leave it empty
  }
  const withState = kb.files.map((f) => ({
    ...fileMeta(f.fileId, files.get(f.fileId), f.fileName),
    status: indexStateName(f.status?.state),
    chunk_count: f.status?.chunkCount ?? 0,
    ...(f.status?.error ? { error: f.status.error } : {}),
    added_at: Number(f.addedAt),
    indexed_at: Number(f.status?.indexedAt ?? 0n),
  }));
  return {
    id: kb.id,
    user_id: kb.userId,
    name: kb.name,
    description: kb.description,
    data: { file_ids: kb.fileIds },
    meta,
    access_control: accessControlJson(kb.accessControl),
    created_at: Number(kb.createdAt),
    updated_at: Number(kb.updatedAt),
    write_access: kb.writable,
    files: kb.files.length ? withState : kb.fileIds.map((id) => fileMeta(id, files.get(id))),
  };
}
