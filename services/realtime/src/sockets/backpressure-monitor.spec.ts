import type { Server } from 'socket.io';
import type { Logger } from '@parley/logging';
import { BackpressureMonitor, pendingBytes } from './backpressure-monitor';

function fakeSocket(id: string, bufferedAmount: number, queued: string[]) {
  const raw = { bufferedAmount, terminate: jest.fn() };
  const conn = {
    writeBuffer: queued.map((data) => ({ data })),
    transport: { socket: raw },
    close: jest.fn(),
  };
  return { socket: { id, conn, data: { user: { id: `user-${id}` } } }, conn, raw };
}

describe('BackpressureMonitor', () => {
  const logger = { warn: jest.fn() } as unknown as Logger;

  it('counts what waits in engine.io’s queue and in the WebSocket’s buffer', () => {
    const { socket } = fakeSocket('a', 1_000, ['x'.repeat(300), 'y'.repeat(200)]);
    expect(pendingBytes(socket as never)).toBe(1_500);
  });

  it('cuts off only the socket past the cap, discarding its queue and destroying the connection', () => {
    const slow = fakeSocket('slow', 60_000, ['x'.repeat(50_000)]);
    const fine = fakeSocket('fine', 10_000, []);
    const server = {
      of: () => ({
        sockets: new Map([
          ['slow', slow.socket],
          ['fine', fine.socket],
        ]),
      }),
    } as unknown as Server;
    const sut = new BackpressureMonitor(server, 100_000, logger);

    sut.check();

    expect(slow.conn.close).toHaveBeenCalledWith(true);
    expect(slow.raw.terminate).toHaveBeenCalled();
    expect(slow.socket.data).toMatchObject({ disconnectReason: 'client too slow' });
    expect(fine.conn.close).not.toHaveBeenCalled();
    expect(fine.raw.terminate).not.toHaveBeenCalled();
  });
});
