import type { ApiClient } from '../api';

interface AccessRule {
  group_ids: string[];
  user_ids: string[];
}

/** A model preset (Open WebUI's workspace model): a base model with its own name, prompt and parameters. */
export interface Preset {
  id: string;
  user_id: string;
  base_model_id: string;
  name: string;
  params: {
    system?: string;
    temperature?: number;
    top_p?: number;
    max_tokens?: number;
    seed?: number;
    stop?: string[];
  };
  meta: { description?: string | null; [key: string]: unknown };
  knowledge_ids: string[];
  access_control: { read: AccessRule; write: AccessRule } | null;
  is_active: boolean;
  created_at: number;
  updated_at: number;
  write_access: boolean;
}

export interface PresetForm {
  id?: string;
  base_model_id: string;
  name: string;
  meta: { description?: string | null };
  params: Preset['params'];
  access_control?: Preset['access_control'];
  is_active: boolean;
}

export interface UsageRow {
  user_id: string;
  model: string;
  date: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  requests: number;
  estimated_requests: number;
}

export interface UsagePage {
  items: UsageRow[];
  total: number;
  page: number;
  limit: number;
  totals: { prompt_tokens: number; completion_tokens: number; total_tokens: number; requests: number };
}

export interface UsageLimit {
  subject: 'user' | 'group';
  id: string;
  requests_per_minute: number | null;
  tokens_per_day: number | null;
  updated_at: number;
}

export interface UsageLimits {
  defaults: { requests_per_minute: number | null; tokens_per_day: number | null };
  users: UsageLimit[];
  groups: UsageLimit[];
}

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
