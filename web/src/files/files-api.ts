import type { ApiClient, FileModel, ResponseOf } from '../api';

const file = (id: string) => `/api/v1/files/${encodeURIComponent(id)}`;

export type ProcessStatus = ResponseOf<'/api/v1/files/{id}/process/status', 'get'>;

/** Open WebUI's /api/v1/files routes, as the app uses them. */
export const filesApi = {
  /** Multipart with the field `file`; `process=true` starts text extraction in the background. */
  upload: (api: ApiClient, body: File, onProgress: (fraction: number) => void, signal?: AbortSignal) => {
    const form = new FormData();
    form.append('file', body, body.name);
    return api.upload<FileModel>('/api/v1/files/?process=true', form, {
      onProgress,
      ...(signal ? { signal } : {}),
    });
  },
  status: (api: ApiClient, id: string, signal?: AbortSignal) =>
    api.get<ProcessStatus>(`${file(id)}/process/status`, signal ? { signal } : {}),
  list: (api: ApiClient, signal?: AbortSignal) =>
    api.get<FileModel[]>('/api/v1/files/?content=false', signal ? { signal } : {}),
  remove: (api: ApiClient, id: string) => api.request<unknown>('DELETE', file(id)),
};

/** The route of one file (Open WebUI's `url` on a message's file item); its bytes are at `/content`. */
export const fileUrl = file;
export const fileContentUrl = (id: string) => `${file(id)}/content`;
