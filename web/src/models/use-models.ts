import { useQuery } from '@tanstack/react-query';
import { useApi, type ApiClient, type Model } from '../api';

/** A model as screens use it: its id, and its name and owner when the server sent them. */
export type ModelItem = Pick<Model, 'id'> & Partial<Pick<Model, 'name' | 'owned_by'>>;

/**
 * One key, one shape: every screen that lists models (the chat's picker, Settings, Admin → Presets)
 * reads the list through `useModels`. Two modules once cached different shapes under the same key and
 * each broke the other (docs/web-chat-state.md).
 */
export const modelKeys = {
  list: ['models', 'list'] as const,
};

export function fetchModels(api: ApiClient, signal?: AbortSignal): Promise<ModelItem[]> {
  return api
    .get<{ data?: ModelItem[] }>('/api/models', signal ? { signal } : {})
    .then((reply) => (Array.isArray(reply.data) ? reply.data : []));
}

const UNAVAILABLE_RETRY_MS = 10_000;

/** The models this user may use (the server filters the list). */
export function useModels() {
  const api = useApi();
  return useQuery({
    queryKey: modelKeys.list,
    queryFn: ({ signal }) => fetchModels(api, signal),
    // The model service down is a passing state: ask again now and then until it answers.
    refetchInterval: (query) => (query.state.status === 'error' ? UNAVAILABLE_RETRY_MS : false),
  });
}
