import { describe, expect, it, vi } from 'vitest';
import { createFakeServer } from '../testing/fake-server';
import { ApiClient } from './api-client';
import { ApiError } from './api-error';
import { TOKEN_STORAGE_KEY, TokenStore } from './token-store';

describe('ApiClient', () => {
  it('sends cookies, the bearer token and a JSON body', async () => {
    const server = createFakeServer({ 'POST /api/v1/chats/new': { body: { id: 'c1' } } });
    const sut = new ApiClient({ fetch: server.fetch, tokens: new TokenStore(localStorage) });
    sut.tokens.set('jwt-1');

    await expect(sut.post('/api/v1/chats/new', { body: { chat: { title: 'x' } } })).resolves.toEqual({
      id: 'c1',
    });

    const [, init] = server.fetch.mock.calls[0]!;
    expect(init.credentials).toBe('include');
    expect(server.requests[0]).toMatchObject({
      headers: { Authorization: 'Bearer jwt-1', 'Content-Type': 'application/json' },
      body: { chat: { title: 'x' } },
    });
  });

  it('keeps the token in localStorage under "token" and reads it back on start', () => {
    new TokenStore(localStorage).set('jwt-2');
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBe('jwt-2');
    expect(new TokenStore(localStorage).get()).toBe('jwt-2');
  });

  it('sends no Authorization header without a token', async () => {
    const server = createFakeServer({ 'GET /api/v1/auths/': { body: {} } });
    const sut = new ApiClient({ fetch: server.fetch, tokens: new TokenStore(localStorage) });
    await sut.get('/api/v1/auths/');
    expect(server.requests[0]!.headers).not.toHaveProperty('Authorization');
  });

  it('turns an error status into an ApiError carrying the server detail', async () => {
    const server = createFakeServer({ 'GET /api/v1/auths/': { status: 403, body: { detail: 'Nope.' } } });
    const sut = new ApiClient({ fetch: server.fetch, tokens: new TokenStore(localStorage) });
    const error = await sut.get('/api/v1/auths/').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, detail: 'Nope.' });
  });

  it('reports a failed connection as status 0', async () => {
    const sut = new ApiClient({
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      tokens: new TokenStore(localStorage),
    });
    await expect(sut.get('/x')).rejects.toMatchObject({ status: 0, isNetworkError: true, detail: null });
  });

  it('tells listeners about a 401', async () => {
    const server = createFakeServer({
      'GET /api/v1/chats/?page=1': { status: 401, body: { detail: 'expired' } },
    });
    const sut = new ApiClient({ fetch: server.fetch, tokens: new TokenStore(localStorage) });
    const listener = vi.fn();
    sut.onUnauthorized(listener);
    await sut.get('/api/v1/chats/?page=1').catch(() => undefined);
    expect(listener).toHaveBeenCalledWith('/api/v1/chats/?page=1');
  });
});
