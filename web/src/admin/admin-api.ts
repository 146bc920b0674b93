import type {
  ApiClient,
  Group,
  GroupInput,
  OllamaConfig,
  OpenAiConfig,
  SessionUser,
  UserPage,
  UserRole,
} from '../api';

/** A row of `GET /api/v1/users/`; timestamps are epoch seconds. */
export type AdminUser = SessionUser;
export type { Group, GroupInput, UserPage };
type ApiConfig = OpenAiConfig['OPENAI_API_CONFIGS'][string];

export type ConnectionKind = 'openai' | 'ollama';

/** One connection as the screen edits it; keys come back masked and are sent back as they came. */
export interface Connection {
  url: string;
  key: string;
  enable: boolean;
  prefix_id: string;
  model_ids: string[];
}

export interface ConnectionsView {
  enabled: boolean;
  connections: Connection[];
}

const connection = (url: string, key: string, config: ApiConfig | undefined): Connection => ({
  url,
  key,
  enable: config?.enable ?? true,
  prefix_id: config?.prefix_id ?? '',
  model_ids: config?.model_ids ?? [],
});

export function fromOpenAi(config: OpenAiConfig): ConnectionsView {
  return {
    enabled: config.ENABLE_OPENAI_API,
    connections: config.OPENAI_API_BASE_URLS.map((url, i) =>
      connection(url, config.OPENAI_API_KEYS[i] ?? '', config.OPENAI_API_CONFIGS[String(i)]),
    ),
  };
}

export function fromOllama(config: OllamaConfig): ConnectionsView {
  return {
    enabled: config.ENABLE_OLLAMA_API,
    connections: config.OLLAMA_BASE_URLS.map((url, i) => {
      const extra = config.OLLAMA_API_CONFIGS[String(i)];
      return connection(url, extra?.key ?? '', extra);
    }),
  };
}

const configsOf = (view: ConnectionsView, withKey: boolean) =>
  Object.fromEntries(
    view.connections.map((c, i) => [
      String(i),
      {
        enable: c.enable,
        prefix_id: c.prefix_id,
        model_ids: c.model_ids,
        ...(withKey && c.key ? { key: c.key } : {}),
      },
    ]),
  );

export const adminApi = {
  listUsers: (api: ApiClient, query: string, page: number) =>
    api.get<UserPage>(`/api/v1/users/?${new URLSearchParams({ query, page: String(page) }).toString()}`),
  updateUser: (api: ApiClient, id: string, body: { role?: UserRole; name?: string; email?: string }) =>
    api.post<AdminUser>(`/api/v1/users/${encodeURIComponent(id)}/update`, { body }),
  deleteUser: (api: ApiClient, id: string) =>
    api.request<boolean>('DELETE', `/api/v1/users/${encodeURIComponent(id)}`),

  listGroups: (api: ApiClient) => api.get<Group[]>('/api/v1/groups/'),
  createGroup: (api: ApiClient, body: GroupInput) => api.post<Group>('/api/v1/groups/create', { body }),
  updateGroup: (api: ApiClient, id: string, body: GroupInput) =>
    api.post<Group>(`/api/v1/groups/id/${encodeURIComponent(id)}/update`, { body }),
  deleteGroup: (api: ApiClient, id: string) =>
    api.request<boolean>('DELETE', `/api/v1/groups/id/${encodeURIComponent(id)}/delete`),

  getConnections: async (api: ApiClient, kind: ConnectionKind): Promise<ConnectionsView> =>
    kind === 'openai'
      ? fromOpenAi(await api.get<OpenAiConfig>('/openai/config'))
      : fromOllama(await api.get<OllamaConfig>('/ollama/config')),
  saveConnections: async (api: ApiClient, kind: ConnectionKind, view: ConnectionsView) =>
    kind === 'openai'
      ? fromOpenAi(
          await api.post<OpenAiConfig>('/openai/config/update', {
            body: {
              ENABLE_OPENAI_API: view.enabled,
              OPENAI_API_BASE_URLS: view.connections.map((c) => c.url),
              OPENAI_API_KEYS: view.connections.map((c) => c.key),
              OPENAI_API_CONFIGS: configsOf(view, false),
            },
          }),
        )
      : fromOllama(
          await api.post<OllamaConfig>('/ollama/config/update', {
            body: {
              ENABLE_OLLAMA_API: view.enabled,
              OLLAMA_BASE_URLS: view.connections.map((c) => c.url),
              OLLAMA_API_CONFIGS: configsOf(view, true),
            },
          }),
        ),
  /** Asks the upstream for its models through the server; the answer is the upstream's list. */
  verifyConnection: (api: ApiClient, kind: ConnectionKind, url: string, key: string) =>
    api.post<unknown>(`/${kind}/verify`, { body: { url, key } }),
};

export const adminKeys = {
  users: (query: string, page: number) => ['admin', 'users', query, page] as const,
  allUsers: ['admin', 'users'] as const,
  groups: ['admin', 'groups'] as const,
  connections: (kind: ConnectionKind) => ['admin', 'connections', kind] as const,
};

/**
 * A group's permissions as flat flags (`workspace.models`), from the nested shape the server answers
 * (Open WebUI's `{ workspace: { models: true } }`); the server accepts the flat names back.
 */
export function flatPermissions(nested: Group['permissions'], prefix = ''): Record<string, boolean> {
  const flat: Record<string, boolean> = {};
  for (const [key, value] of Object.entries(nested ?? {})) {
    if (typeof value === 'boolean') flat[`${prefix}${key}`] = value;
    else if (typeof value === 'object' && value !== null)
      Object.assign(flat, flatPermissions(value as Group['permissions'], `${prefix}${key}.`));
  }
  return flat;
}

/** Open WebUI's permission flags an admin can grant through groups. */
export const PERMISSION_FLAGS = [
  'chat.controls',
  'chat.file_upload',
  'chat.delete',
  'chat.edit',
  'chat.share',
  'chat.export',
  'chat.temporary',
  'workspace.models',
  'workspace.knowledge',
  'workspace.prompts',
  'workspace.tools',
] as const;
