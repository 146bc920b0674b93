import type { ApiClient, Preset, PresetForm, UsageLimit, UsageLimits, UsagePage, UsageRow } from '../api';

export type { Preset, PresetForm, UsageLimit, UsageLimits, UsagePage, UsageRow };

const q = (id: string) => `?id=${encodeURIComponent(id)}`;

export const presetsApi = {
  list: (api: ApiClient) => api.get<Preset[]>('/api/v1/models/list'),
  create: (api: ApiClient, form: PresetForm) => api.post<Preset>('/api/v1/models/create', { body: form }),
  update: (api: ApiClient, id: string, form: PresetForm) =>
    api.post<Preset>(`/api/v1/models/model/update${q(id)}`, { body: form }),
  remove: (api: ApiClient, id: string) =>
    api.request<boolean>('DELETE', `/api/v1/models/model/delete${q(id)}`),
  /** The form that saves a preset as it is, apart from `changes`. */
  formOf: (preset: Preset, changes: Partial<PresetForm> = {}): PresetForm => ({
    base_model_id: preset.base_model_id,
    name: preset.name,
    meta: { description: preset.meta.description ?? null },
    params: preset.params,
    access_control: preset.access_control,
    is_active: preset.is_active,
    ...changes,
  }),
};

export const usageApi = {
  list: (api: ApiClient, page: number, limit: number) =>
    api.get<UsagePage>(
      `/api/v1/usage/?${new URLSearchParams({ page: String(page), limit: String(limit) }).toString()}`,
    ),
  limits: (api: ApiClient) => api.get<UsageLimits>('/api/v1/usage/limits'),
  setLimit: (
    api: ApiClient,
    kind: 'users' | 'groups',
    id: string,
    body: { requests_per_minute: number | null; tokens_per_day: number | null },
  ) => api.post<UsageLimit>(`/api/v1/usage/limits/${kind}/${encodeURIComponent(id)}`, { body }),
  removeLimit: (api: ApiClient, kind: 'users' | 'groups', id: string) =>
    api.request<boolean>('DELETE', `/api/v1/usage/limits/${kind}/${encodeURIComponent(id)}`),
};

export const presetKeys = {
  presets: ['admin', 'presets'] as const,
  usage: (page: number) => ['admin', 'usage', page] as const,
  limits: ['admin', 'usage-limits'] as const,
};
