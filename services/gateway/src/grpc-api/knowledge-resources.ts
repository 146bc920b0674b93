import type { MessageInitShape } from '@bufbuild/protobuf';
import { apiV1Knowledge, retrievalV1 } from '@parley/proto';
import { invalidArgument, limitText, requireText } from './request-checks';

type KnowledgeBaseInit = MessageInitShape<typeof apiV1Knowledge.KnowledgeBaseSchema>;
type KnowledgeBaseInput = MessageInitShape<typeof retrievalV1.KnowledgeBaseInputSchema>;

const { Visibility } = apiV1Knowledge;
const MAX_GROUPS = 1_000;
const ID_MAX = 64;

const STATES: Record<retrievalV1.IndexState, apiV1Knowledge.IndexState> = {
  [retrievalV1.IndexState.UNSPECIFIED]: apiV1Knowledge.IndexState.UNSPECIFIED,
  [retrievalV1.IndexState.PENDING]: apiV1Knowledge.IndexState.PENDING,
  [retrievalV1.IndexState.INDEXING]: apiV1Knowledge.IndexState.INDEXING,
  [retrievalV1.IndexState.INDEXED]: apiV1Knowledge.IndexState.INDEXED,
  [retrievalV1.IndexState.FAILED]: apiV1Knowledge.IndexState.FAILED,
};

/**
 * The retrieval service's base as a public resource. Its access control is Open WebUI's: unset means
 * public; set means private, with the groups of its rules (user rules are the web app's business and
 * are not shown).
 */
export function knowledgeBaseResource(base: retrievalV1.KnowledgeBase | undefined): KnowledgeBaseInit {
  const access = base?.accessControl;
  return {
    name: `knowledgeBases/${base?.id ?? ''}`,
    id: base?.id ?? '',
    displayName: base?.name ?? '',
    description: base?.description ?? '',
    visibility: access ? Visibility.PRIVATE : Visibility.PUBLIC,
    readerGroupIds: [...(access?.read?.groupIds ?? [])],
    writerGroupIds: [...(access?.write?.groupIds ?? [])],
    ownerId: base?.userId ?? '',
    writable: base?.writable ?? false,
    fileIds: [...(base?.fileIds ?? [])],
    files: (base?.files ?? []).map((file) => ({
      fileId: file.fileId,
      fileName: file.fileName,
      state:
        STATES[file.status?.state ?? retrievalV1.IndexState.UNSPECIFIED] ??
        apiV1Knowledge.IndexState.UNSPECIFIED,
      chunkCount: file.status?.chunkCount ?? 0,
      error: file.status?.error ?? '',
      addTime: file.addedAt,
    })),
    createTime: base?.createdAt ?? 0n,
    updateTime: base?.updatedAt ?? 0n,
  };
}

function groupIds(field: string, ids: string[]): string[] {
  if (ids.length > MAX_GROUPS) throw invalidArgument(field, `may name at most ${MAX_GROUPS} groups`);
  ids.forEach((id, i) => requireText(`${field}[${i}]`, id, ID_MAX));
  return [...new Set(ids)];
}

/** A public base to create as the retrieval service's input, with the public field names in errors. */
export function knowledgeBaseInput(base: apiV1Knowledge.KnowledgeBase | undefined): KnowledgeBaseInput {
  if (!base) throw invalidArgument('knowledge_base', 'is required');
  const displayName = requireText('knowledge_base.display_name', base.displayName.trim(), 200);
  const description = limitText('knowledge_base.description', base.description, 10_000);
  const readers = groupIds('knowledge_base.reader_group_ids', base.readerGroupIds);
  const writers = groupIds('knowledge_base.writer_group_ids', base.writerGroupIds);
  const visibility = base.visibility === Visibility.UNSPECIFIED ? Visibility.PRIVATE : base.visibility;
  if (visibility !== Visibility.PRIVATE && visibility !== Visibility.PUBLIC)
    throw invalidArgument('knowledge_base.visibility', 'must be VISIBILITY_PRIVATE or VISIBILITY_PUBLIC');
  if (visibility === Visibility.PUBLIC && (readers.length || writers.length))
    throw invalidArgument(
      'knowledge_base.visibility',
      'group ids go with VISIBILITY_PRIVATE (a public base is readable by everyone)',
    );
  return {
    name: displayName,
    description,
    // Open WebUI's access_control: unset is public; set with empty rules is private to the owner.
    ...(visibility === Visibility.PRIVATE
      ? {
          accessControl: {
            read: { groupIds: readers, userIds: [] },
            write: { groupIds: writers, userIds: [] },
          },
        }
      : {}),
  };
}
