import { randomUUID } from 'node:crypto';
import { FakeLlm, Stack } from '@parley/testing';
import { startStackWithUpstream } from './support/stacks';
import { request, signUpsFrom, SignedUp } from './support/http';

/**
 * Every REST error carries a stable `code` next to its human `detail` (issue 12), including codes thrown
 * in a service behind gRPC (chat, model gateway, auth), which must survive the hop to the gateway.
 */
describe('error codes in REST answers', () => {
  let stack: Stack;
  let upstream: FakeLlm;
  let gateway: string;
  let user: SignedUp;
  const signUp = signUpsFrom('2001:db8:12:6::');

  beforeAll(async () => {
    ({ stack, upstream } = await startStackWithUpstream());
    gateway = stack.gatewayUrls[0]!;
    await signUp(gateway, 'Admin');
    user = await signUp(gateway, 'Bob');
  });

  afterAll(async () => {
    await stack?.stop();
    await upstream?.close();
  });

  it('answers a missing chat with 404 CHAT_NOT_FOUND, thrown in the chat service', async () => {
    const res = await request(gateway, 'GET', `/api/v1/chats/${randomUUID()}`, { token: user.token });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 404,
      body: { detail: 'No such chat.', code: 'CHAT_NOT_FOUND' },
    });
  });

  it('answers bad JSON with 400 INVALID_INPUT and keeps the detail as it was', async () => {
    const res = await request(gateway, 'POST', '/api/v1/chats/new', {
      token: user.token,
      rawBody: '{"chat":',
    });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 400,
      body: { detail: 'The request body is not valid JSON.', code: 'INVALID_INPUT' },
    });
    const invalid = await request(gateway, 'POST', '/api/chat/completions', {
      token: user.token,
      body: { model: 'gpt-fake' },
    });
    expect({ status: invalid.status, code: (invalid.body as { code?: string }).code }).toEqual({
      status: 400,
      code: 'INVALID_INPUT',
    });
  });

  it('answers a missing model with 404 MODEL_NOT_FOUND, thrown in the model gateway', async () => {
    const res = await request(gateway, 'POST', '/api/chat/completions', {
      token: user.token,
      body: { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] },
    });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 404,
      body: { detail: 'Model not found: no-such-model', code: 'MODEL_NOT_FOUND' },
    });
  });

  it('answers a wrong password with 401 INVALID_CREDENTIALS, thrown in the auth service', async () => {
    const res = await request(gateway, 'POST', '/api/v1/auths/signin', {
      body: { email: `nobody-${randomUUID()}@example.com`, password: 'wrong password' },
      headers: { 'x-forwarded-for': '2001:db8:12:6::ff' },
    });
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { detail: 'The email or password is incorrect.', code: 'INVALID_CREDENTIALS' },
    });
  });
});
