import { randomUUID } from 'node:crypto';
import { io, Socket } from 'socket.io-client';
import { startStack, Stack } from '@parley/testing';
import { request, signUpsFrom, SignedUp } from './support/http';
import { waitFor } from './support/sockets';

const PARTNER = 'https://partner.example';

/** Opens a socket the way the options say (a browser's cookie and Origin, or a token), or says why not. */
async function open(
  baseUrl: string,
  options: { token?: string; cookie?: string; origin?: string },
): Promise<{ socket?: Socket; refusal?: string }> {
  const extraHeaders: Record<string, string> = {};
  if (options.cookie) extraHeaders.cookie = `token=${encodeURIComponent(options.cookie)}`;
  if (options.origin) extraHeaders.origin = options.origin;
  const socket = io(baseUrl, {
    path: '/ws/socket.io',
    transports: ['websocket'],
    ...(options.token ? { auth: { token: options.token } } : {}),
    extraHeaders,
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ refusal: error.message });
    });
  });
}

/** Socket handshakes from browsers and other clients, pending users, and hostile event payloads. */
describe('realtime socket edge hardening', () => {
  let stack: Stack;
  let gateway: string;
  let admin: SignedUp;
  const newUser = signUpsFrom('2001:db8:11:5::');

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, chat: 1, realtime: 1, gateway: 1 },
      env: {
        DEFAULT_USER_ROLE: 'user',
        CORS_ALLOW_ORIGIN: `${PARTNER}/`,
        REALTIME_CLUSTER: `hardening-${randomUUID().slice(0, 8)}`,
      },
    });
    gateway = stack.gatewayUrls[0]!;
    admin = await newUser(gateway, 'Admin');
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses the session cookie from a foreign origin, and accepts it from the same or a listed one', async () => {
    const user = await newUser(gateway, 'Cookie');
    const foreign = await open(gateway, { cookie: user.token, origin: 'https://evil.example' });
    expect(foreign.socket).toBeUndefined();
    expect(foreign.refusal).toMatch(/^Origin https:\/\/evil\.example may not open a socket here/);

    for (const origin of [gateway, PARTNER]) {
      const accepted = await open(gateway, { cookie: user.token, origin });
      expect(accepted.refusal).toBeUndefined();
      expect(accepted.socket?.connected).toBe(true);
      accepted.socket?.close();
    }
  });

  it('accepts a token or an API key without an Origin (not a browser)', async () => {
    const user = await newUser(gateway, 'Token');
    const withToken = await open(gateway, { token: user.token });
    expect(withToken.socket?.connected).toBe(true);
    withToken.socket?.close();
    const key = (
      await request<{ api_key: string }>(gateway, 'POST', '/api/v1/auths/api_key', { token: user.token })
    ).body.api_key;
    const withKey = await open(gateway, { token: key });
    expect(withKey.socket?.connected).toBe(true);
    withKey.socket?.close();
  });

  it('cuts the socket of a user made pending, and refuses the pending session a socket', async () => {
    const user = await newUser(gateway, 'Pending');
    const { socket } = await open(gateway, { token: user.token });
    expect(socket?.connected).toBe(true);
    const updated = await request(gateway, 'POST', `/api/v1/users/${user.id}/update`, {
      token: admin.token,
      body: { role: 'pending' },
    });
    expect(updated.status).toBe(200);
    await waitFor(() => !socket!.connected, 2_000, 'the socket of the demoted user to be cut');
    const again = await request<{ token: string; role: string }>(gateway, 'POST', '/api/v1/auths/signin', {
      body: { email: user.email, password: 'correct horse battery' },
      headers: { 'x-forwarded-for': '2001:db8:11:5::ff' },
    });
    expect(again.body.role).toBe('pending');
    const refused = await open(gateway, { token: again.body.token });
    expect(refused.socket).toBeUndefined();
    expect(refused.refusal).toMatch(/waiting for an administrator to approve it/);
  });

  describe('hostile payloads', () => {
    const deep = (levels: number): unknown => {
      let value: unknown = 'x';
      for (let i = 0; i < levels; i++) value = { chat_id: value };
      return value;
    };
    const hostile: Array<[string, unknown, RegExp, string?]> = [
      ['a NUL', { chat_id: 'a\u0000b', message_id: 'm\u0000', after_seq: 0 }, /contains a NUL character/],
      [
        'a lone surrogate',
        { chat_id: 'a\ud800', message_id: '\udc00', after_seq: 0 },
        /lone UTF-16 surrogate/,
      ],
      ['100 levels', deep(100), /nested deeper than the limit of 64 levels/],
      [
        '100 KB',
        { chat_id: 'x'.repeat(100_000) },
        /payload is \d+ bytes; the limit is 65536/,
        'PAYLOAD_TOO_LARGE',
      ],
    ];
    const events = ['chat:join', 'chat:leave', 'chat:completion:resume', 'usage:get', 'user-count:get'];
    let socket: Socket;

    beforeAll(async () => {
      socket = (await open(gateway, { token: admin.token })).socket!;
    });

    afterAll(() => socket?.close());

    it.each(events)('answers %s with an error ack for each hostile payload', async (event) => {
      for (const [, payload, detail, code = 'INVALID_INPUT'] of hostile) {
        const ack = (await socket.timeout(5_000).emitWithAck(event, payload)) as {
          ok: boolean;
          detail?: string;
        };
        expect(ack).toEqual({ ok: false, detail: expect.stringMatching(detail), code });
      }
      expect(socket.connected).toBe(true);
    });

    it.each(['chat:join', 'chat:leave', 'chat:completion:resume'])(
      'answers %s with an error ack for a payload of the wrong type',
      async (event) => {
        for (const payload of [42, 'chat', [1, 2], { chat_id: 7, message_id: {}, after_seq: 'x' }, null]) {
          const ack = (await socket.timeout(5_000).emitWithAck(event, payload)) as {
            ok: boolean;
            detail?: string;
          };
          expect(ack.ok).toBe(false);
          expect(ack.detail).toMatch(/^Send \{/);
        }
      },
    );

    it('keeps the socket working and every service ready afterwards', async () => {
      expect(socket.connected).toBe(true);
      const usage = (await socket.timeout(5_000).emitWithAck('usage:get')) as { ok: boolean };
      expect(usage.ok).toBe(true);
      const count = (await socket.timeout(5_000).emitWithAck('user-count:get')) as {
        ok: boolean;
        count: number;
      };
      expect(count).toMatchObject({ ok: true });
      expect(count.count).toBeGreaterThanOrEqual(1);
      for (const url of [...stack.realtimeUrls, gateway]) {
        expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      }
    });
  });
});
