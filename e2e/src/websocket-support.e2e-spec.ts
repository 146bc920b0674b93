import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { startStack, type Stack } from '@parley/testing';
import { request, signUp } from './support/http';

/** How a socket.io-client with these transports fares through the gateway: connected, or why not. */
async function connectWith(gateway: string, token: string, transports: string[]) {
  const socket = io(gateway, {
    path: '/ws/socket.io',
    transports,
    auth: { token },
    reconnection: false,
    forceNew: true,
    tryAllTransports: true,
  });
  try {
    return await new Promise<{ connected: boolean; transport?: string; error?: string }>((resolve) => {
      socket.once('connect', () => resolve({ connected: true, transport: socket.io.engine.transport.name }));
      socket.once('connect_error', (error) => resolve({ connected: false, error: error.message }));
    });
  } finally {
    socket.close();
  }
}

/**
 * Open WebUI's ENABLE_WEBSOCKET_SUPPORT=false, for proxies that pass no WebSocket upgrades: Socket.IO
 * over long-polling only, said in /api/config, and the web app's client (WebSocket first, then polling)
 * still gets a session. With the default, WebSocket it is.
 */
describe('ENABLE_WEBSOCKET_SUPPORT', () => {
  const stacks: Stack[] = [];

  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
  });

  it('false: long-polling only, and clients that try WebSocket first fall back to it', async () => {
    const stack = await startStack({
      copies: { auth: 1, realtime: 1, gateway: 1 },
      env: { ENABLE_WEBSOCKET_SUPPORT: 'false' },
    });
    stacks.push(stack);
    const gateway = stack.gatewayUrls[0]!;
    const config = await request<{ features: { enable_websocket: boolean } }>(gateway, 'GET', '/api/config');
    expect(config.body.features.enable_websocket).toBe(false);
    const user = await signUp(gateway, 'Poll', `poll-${randomUUID()}@example.com`);
    expect(await connectWith(gateway, user.token, ['websocket'])).toMatchObject({ connected: false });
    expect(await connectWith(gateway, user.token, ['websocket', 'polling'])).toEqual({
      connected: true,
      transport: 'polling',
    });
  });

  it('true (the default): WebSocket', async () => {
    const stack = await startStack({ copies: { auth: 1, realtime: 1, gateway: 1 } });
    stacks.push(stack);
    const gateway = stack.gatewayUrls[0]!;
    const config = await request<{ features: { enable_websocket: boolean } }>(gateway, 'GET', '/api/config');
    expect(config.body.features.enable_websocket).toBe(true);
    const user = await signUp(gateway, 'Sock', `sock-${randomUUID()}@example.com`);
    expect(await connectWith(gateway, user.token, ['websocket', 'polling'])).toEqual({
      connected: true,
      transport: 'websocket',
    });
    expect(await connectWith(gateway, user.token, ['polling'])).toMatchObject({ connected: false });
  });
});
