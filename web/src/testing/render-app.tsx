import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiClient, TokenStore, type SessionUser } from '../api';
import { App } from '../app/app';
import type { Locale } from '../i18n';
import { createFakeRealtime } from './fake-realtime';
import { createFakeServer, type FakeServer } from './fake-server';

export const ADA: SessionUser = {
  id: 'u-ada',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  role: 'user',
  profile_image_url: '/user.png',
  created_at: 0,
  updated_at: 0,
  last_active_at: 0,
};

export function signInResponse(user: SessionUser, token = 'jwt-ada') {
  return { ...user, token, token_type: 'Bearer' as const, expires_at: null };
}

/** Renders the whole app against a fake gateway and a fake socket. */
export function renderApp({
  server = createFakeServer(),
  locale = 'en',
}: { server?: FakeServer; locale?: Locale } = {}) {
  const realtime = createFakeRealtime();
  const api = new ApiClient({ fetch: server.fetch, tokens: new TokenStore(localStorage) });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const user = userEvent.setup();
  const view = render(
    <App api={api} queryClient={queryClient} connectRealtime={realtime.connect} locale={locale} />,
  );
  return { ...view, server, realtime, api, queryClient, user };
}
