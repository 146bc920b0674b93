import type { ApiClient, SessionUser, SignInRequest, SignInResponse, SignUpRequest } from '../api';

export const authApi = {
  signIn: (api: ApiClient, body: SignInRequest) => api.post<SignInResponse>('/api/v1/auths/signin', { body }),
  signUp: (api: ApiClient, body: SignUpRequest) => api.post<SignInResponse>('/api/v1/auths/signup', { body }),
  sessionUser: (api: ApiClient) => api.get<SessionUser>('/api/v1/auths/'),
  signOut: (api: ApiClient) => api.get<unknown>('/api/v1/auths/signout'),
  /** Whether this installation signs in at all (false: single-user mode, WEBUI_AUTH=False). */
  signInRequired: async (api: ApiClient) =>
    (await api.get<{ features?: { auth?: boolean } }>('/api/config')).features?.auth !== false,
};
