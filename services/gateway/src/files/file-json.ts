import { filesV1 } from '@parley/proto';

type StatusName = 'pending' | 'completed' | 'failed';

const STATUS: Partial<Record<filesV1.FileStatus, StatusName>> = {
  [filesV1.FileStatus.PENDING]: 'pending',
  [filesV1.FileStatus.COMPLETED]: 'completed',
  [filesV1.FileStatus.FAILED]: 'failed',
};

export function statusName(status: filesV1.FileStatus): StatusName | undefined {
  return STATUS[status];
}

/** Open WebUI's FileModelResponse: `data` holds status/content/error, `meta` name/type/size/metadata. */
export function fileJson(file: filesV1.File | undefined, { content = false }: { content?: boolean } = {}) {
  const status = file ? statusName(file.status) : undefined;
  return {
    id: file?.id ?? '',
    user_id: file?.userId ?? '',
    hash: file?.hash ?? '',
    filename: file?.filename ?? '',
    data: {
      ...(status ? { status } : {}),
      ...(content && file?.content ? { content: file.content } : {}),
      ...(file?.error ? { error: file.error } : {}),
    },
    meta: {
      name: file?.filename ?? '',
      content_type: file?.contentType ?? '',
      size: Number(file?.size ?? 0n),
      data: file?.metadataJson ? (JSON.parse(file.metadataJson) as unknown) : {},
    },
    created_at: Number(file?.createdAt ?? 0n),
    updated_at: Number(file?.updatedAt ?? 0n),
  };
}
