import { ApiError, type ApiClient, type ApiKeyInfo, type SessionUser, type UserSettings } from '../api';

export type { ApiKeyInfo, UserSettings };

export const settingsApi = {
  updateProfile: (api: ApiClient, body: { name: string; profile_image_url: string }) =>
    api.post<SessionUser>('/api/v1/auths/update/profile', { body }),
  updatePassword: (api: ApiClient, body: { password: string; new_password: string }) =>
    api.post<boolean>('/api/v1/auths/update/password', { body }),
  /** null when the user has no key (the server answers 404). */
  getApiKey: (api: ApiClient) =>
    api.get<ApiKeyInfo>('/api/v1/auths/api_key').catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }),
  createApiKey: (api: ApiClient) => api.post<ApiKeyInfo>('/api/v1/auths/api_key'),
  deleteApiKey: (api: ApiClient) => api.request<boolean>('DELETE', '/api/v1/auths/api_key'),
  getSettings: (api: ApiClient) => api.get<UserSettings | null>('/api/v1/users/user/settings'),
  updateSettings: (api: ApiClient, settings: UserSettings) =>
    api.post<UserSettings>('/api/v1/users/user/settings/update', { body: settings }),
};

export const settingsKeys = {
  apiKey: ['settings', 'api-key'] as const,
  userSettings: ['settings', 'user-settings'] as const,
};
