import { startStack, Stack } from '@parley/testing';
import { request } from './support/http';

/** Installs behind an SSO proxy: the proxy names the user in a header (Open WebUI's trusted header). */
describe('trusted-header sign-in and the public config', () => {
  let stack: Stack;
  let gateway: string;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, gateway: 1 },
      env: {
        WEBUI_AUTH_TRUSTED_EMAIL_HEADER: 'X-Forwarded-Email',
        WEBUI_AUTH_TRUSTED_NAME_HEADER: 'X-Forwarded-User',
      },
    });
    gateway = stack.gatewayUrls[0]!;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('tells the sign-in screen that this is a fresh install and which methods are on', async () => {
    const config = await request(gateway, 'GET', '/api/config');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({
      onboarding: true,
      oauth: { providers: {} },
      features: { auth_trusted_header: true, enable_ldap: false, enable_signup: true, enable_api_key: true },
    });
  });

  it('signs in the person the proxy names, creating the account once', async () => {
    const headers = { 'x-forwarded-email': 'Pat@Corp.Test', 'x-forwarded-user': 'Pat Proxy' };
    const first = await request<{ id: string; email: string; name: string; role: string; token: string }>(
      gateway,
      'POST',
      '/api/v1/auths/signin',
      { body: {}, headers },
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ email: 'pat@corp.test', name: 'Pat Proxy', role: 'admin' });
    const again = await request<{ id: string }>(gateway, 'POST', '/api/v1/auths/signin', {
      body: {},
      headers,
    });
    expect(again.body.id).toBe(first.body.id);
    const config = await request(gateway, 'GET', '/api/config');
    expect(config.body).toMatchObject({ onboarding: false });
  });

  it('answers 400 naming the header when the proxy did not send it', async () => {
    const res = await request(gateway, 'POST', '/api/v1/auths/signin', {
      body: { email: 'x@y.z', password: 'whatever pw' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      detail: 'The X-Forwarded-Email header from the sign-in proxy is missing.',
      code: expect.any(String),
    });
  });
});
