import type { Socket } from 'socket.io';
import { PENDING_REFUSAL, socketAuthMiddleware } from './socket-auth';
import { parseOriginPolicy, type AuthenticatedUser, type Authenticator } from '@parley/auth-guard';

function handshake(headers: Record<string, string>, auth: Record<string, unknown> = {}): Socket {
  return { handshake: { headers, auth, url: '/ws/socket.io/' }, data: {} } as unknown as Socket;
}

async function run(sut: ReturnType<typeof socketAuthMiddleware>, socket: Socket): Promise<Error | undefined> {
  return new Promise((resolve) => sut(socket, resolve));
}

describe('socket handshake', () => {
  const as = (role: AuthenticatedUser['role']): Authenticator => ({
    authenticate: jest.fn(async () => ({ id: 'u1', role })),
  });

  it('refuses a cookie handshake from a foreign origin before looking at the token', async () => {
    const authenticator = as('user');
    const sut = socketAuthMiddleware(authenticator, parseOriginPolicy(''));
    const error = await run(
      sut,
      handshake({ origin: 'https://evil.example', host: 'chat.example', cookie: 'token=t' }),
    );
    expect(error?.message).toMatch(/Origin https:\/\/evil\.example may not open a socket/);
    expect(authenticator.authenticate).not.toHaveBeenCalled();
  });

  it('accepts a same-origin cookie handshake and a token handshake without an Origin', async () => {
    const sut = socketAuthMiddleware(as('user'), parseOriginPolicy(''));
    const cookie = handshake({ origin: 'https://chat.example', host: 'chat.example', cookie: 'token=t' });
    expect(await run(sut, cookie)).toBeUndefined();
    expect(cookie.data.user).toEqual({ id: 'u1', role: 'user' });
    expect(await run(sut, handshake({ host: 'chat.example' }, { token: 't' }))).toBeUndefined();
  });

  it('refuses a pending user with a message saying so', async () => {
    const socket = handshake({}, { token: 't' });
    const error = await run(socketAuthMiddleware(as('pending'), parseOriginPolicy('')), socket);
    expect(error?.message).toBe(PENDING_REFUSAL);
    expect(socket.data.user).toBeUndefined();
  });
});
