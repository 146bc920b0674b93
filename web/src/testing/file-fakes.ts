import type { FileModel } from '../api';
import type { MessageFile } from '../files';

/** A stored file as the gateway answers it (`FileModel`), extracted and ready unless changed. */
export function fakeFile(id: string, name: string, change: Partial<FileModel> = {}): FileModel {
  return {
    id,
    user_id: 'u-ada',
    hash: 'h',
    filename: name,
    data: { status: 'completed' },
    meta: { name, content_type: 'application/pdf', size: 2048 },
    created_at: 1,
    updated_at: 1,
    ...change,
  };
}

/** One item of a sent message's `files`, in Open WebUI's shape. */
export function fakeMessageFile(type: 'image' | 'file', id: string, name: string): MessageFile {
  return { type, id, url: `/api/v1/files/${id}`, name, size: 10, status: 'uploaded' };
}
