import type { ApiClient, Knowledge, KnowledgeForm, QueryCollectionsForm, RetrievalQueryResult } from '../api';

const base = (id: string) => `/api/v1/knowledge/${encodeURIComponent(id)}`;

export const knowledgeKeys = {
  all: ['knowledge'] as const,
  list: () => ['knowledge', 'list'] as const,
  one: (id: string) => ['knowledge', 'one', id] as const,
};

/** Open WebUI's /api/v1/knowledge routes and the collection search, as the app uses them. */
export const knowledgeApi = {
  list: (api: ApiClient, signal?: AbortSignal) =>
    api.get<Knowledge[]>('/api/v1/knowledge/', signal ? { signal } : {}),
  get: (api: ApiClient, id: string, signal?: AbortSignal) =>
    api.get<Knowledge>(base(id), signal ? { signal } : {}),
  create: (api: ApiClient, body: KnowledgeForm) => api.post<Knowledge>('/api/v1/knowledge/create', { body }),
  update: (api: ApiClient, id: string, body: KnowledgeForm) =>
    api.post<Knowledge>(`${base(id)}/update`, { body }),
  addFile: (api: ApiClient, id: string, fileId: string) =>
    api.post<Knowledge>(`${base(id)}/file/add`, { body: { file_id: fileId } }),
  removeFile: (api: ApiClient, id: string, fileId: string) =>
    api.post<Knowledge>(`${base(id)}/file/remove`, { body: { file_id: fileId } }),
  remove: (api: ApiClient, id: string) => api.request<unknown>('DELETE', `${base(id)}/delete`),
  search: (api: ApiClient, body: QueryCollectionsForm) =>
    api.post<RetrievalQueryResult>('/api/v1/retrieval/query/collection', { body }),
};

/** One search hit, flattened from Open WebUI's one-list-per-query answer. */
export interface SearchHit {
  text: string;
  fileId: string;
  fileName: string;
  page: number | null;
  heading: string;
  score: number;
}

export function searchHits(result: RetrievalQueryResult): SearchHit[] {
  const documents = result.documents[0] ?? [];
  const metadatas = result.metadatas[0] ?? [];
  return documents.map((text, i) => {
    const meta = metadatas[i];
    return {
      text,
      fileId: meta?.file_id ?? '',
      fileName: meta?.name ?? '',
      page: meta?.page ?? null,
      heading: meta?.heading ?? '',
      score: meta?.score ?? result.distances[0]?.[i] ?? 0,
    };
  });
}
