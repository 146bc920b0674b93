import { randomUUID } from 'node:crypto';
import { startStack, Stack } from '@parley/testing';
import { request, signUp } from './support/http';
import { connectSocket, socketRefusal, waitFor } from './support/sockets';

/** A socket whose token is revoked is cut at once (the revocation is pushed), on whichever copy holds it. */
describe('realtime sockets and token revocation', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, realtime: 2, gateway: 2 },
      env: { DEFAULT_USER_ROLE: 'user', REALTIME_CLUSTER: `revocation-${randomUUID().slice(0, 8)}` },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("disconnects the signed-out session on the other copy and keeps the user's other session", async () => {
    const [a, b] = stack.gatewayUrls as [string, string];
    const user = await signUp(a, 'Sock', `sock-${randomUUID()}@example.com`);
    const second = await request<{ token: string }>(a, 'POST', '/api/v1/auths/signin', {
      body: { email: user.email, password: 'correct horse battery' },
    });
    const revokedSocket = await connectSocket(b, user.token); // realtime copy B
    const keptSocket = await connectSocket(a, second.body.token); // realtime copy A
    let disconnected = false;
    revokedSocket.socket.on('disconnect', () => (disconnected = true));
    expect((await request(a, 'GET', '/api/v1/auths/signout', { token: user.token })).status).toBe(200);
    await waitFor(() => disconnected, 10_000, 'the revoked socket to be cut');
    // Cut by the pushed revocation (it says why), not by a token check that happened to run later.
    expect(revokedSocket.events.map((e) => e.name)).toContain('session:revoked');
    // The other session is still served: a request on its socket, after the cut, is answered.
    const answer = (await keptSocket.socket.timeout(10_000).emitWithAck('usage:get', {})) as { ok: boolean };
    expect(answer.ok).toBe(true);
    expect(keptSocket.socket.connected).toBe(true);
    expect(await socketRefusal(a, user.token)).toMatch(/session has ended/);
    keptSocket.close();
  });

  it('cuts every socket of a user whose password changes', async () => {
    const [a, b] = stack.gatewayUrls as [string, string];
    const user = await signUp(b, 'Pw', `pw-${randomUUID()}@example.com`);
    const sockets = [await connectSocket(a, user.token), await connectSocket(b, user.token)];
    const changed = await request(b, 'POST', '/api/v1/auths/update/password', {
      token: user.token,
      body: { password: 'correct horse battery', new_password: 'another long secret' },
    });
    expect(changed.status).toBe(200);
    await waitFor(() => sockets.every((s) => !s.socket.connected), 1_000, 'both sockets to be cut');
  });

  it('accepts an API key in the handshake and cuts that socket when the key is deleted', async () => {
    const [a, b] = stack.gatewayUrls as [string, string];
    const user = await signUp(a, 'Key', `key-${randomUUID()}@example.com`);
    const key = (
      await request<{ api_key: string }>(a, 'POST', '/api/v1/auths/api_key', { token: user.token })
    ).body.api_key;
    const socket = await connectSocket(b, key);
    expect(socket.socket.connected).toBe(true);
    expect((await request(a, 'DELETE', '/api/v1/auths/api_key', { token: user.token })).status).toBe(200);
    await waitFor(() => !socket.socket.connected, 1_000, 'the key socket to be cut');
    expect(await socketRefusal(b, key)).toMatch(/API key is not valid/);
  });
});
