import { io, Socket } from 'socket.io-client';

export interface RecordingSocket {
  socket: Socket;
  events: Array<{ name: string; payload: unknown }>;
  close(): void;
}

/** A socket.io-client connected as a browser would be, recording every event it receives. */
export async function connectSocket(baseUrl: string, token: string): Promise<RecordingSocket> {
  const socket = io(baseUrl, {
    path: '/ws/socket.io',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  const events: RecordingSocket['events'] = [];
  socket.onAny((name: string, payload: unknown) => events.push({ name, payload }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect within 5 s')), 5_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return { socket, events, close: () => socket.close() };
}

/** The handshake error a refused socket gets, or undefined if it connected. */
export async function socketRefusal(baseUrl: string, token: string): Promise<string | undefined> {
  try {
    const connected = await connectSocket(baseUrl, token);
    connected.close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
