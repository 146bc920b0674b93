import type { SessionUser } from '../api';
import { createFakeServer } from './fake-server';
import { ADA } from './render-app';

export const ADMIN: SessionUser = {
  id: 'u-admin',
  email: 'grace@example.com',
  name: 'Grace Admin',
  role: 'admin',
  profile_image_url: '/user.png',
  created_at: 0,
  updated_at: 0,
  last_active_at: 0,
};

/** A gateway with a signed-in user and the routes the settings page reads on open. */
export function settingsServer(user: SessionUser = ADA) {
  return createFakeServer({
    'GET /api/v1/auths/': { body: user },
    'GET /api/v1/auths/api_key': { status: 404, body: { detail: 'You have no API key; create one.' } },
    'GET /api/v1/users/user/settings': { body: {} },
    'GET /api/models': { body: { object: 'list', data: [{ id: 'fake-model', name: 'Fake Model' }] } },
    'GET /api/v1/chats/?page=1': { body: [] },
    'GET /api/v1/files/?content=false': { body: [] },
  });
}
