import type { Server, Socket } from 'socket.io';
import type { Logger } from '@parley/logging';
import { realtimeMetrics } from '../realtime.metrics';

interface EnginePacket {
  data?: unknown;
}

interface EngineInternals {
  writeBuffer?: EnginePacket[];
  transport?: { socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

/** Bytes waiting for a socket: engine.io's queue (packets not yet handed to the transport) + ws's. */
export function pendingBytes(socket: Socket): number {
  const conn = socket.conn as unknown as EngineInternals;
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    bytes +=
      typeof data === 'string' ? data.length : ((data as ArrayBufferView | undefined)?.byteLength ?? 0);
  }
  return bytes;
}

/**
 * A client that stops reading must not make this copy buffer without bound, nor slow the others: each
 * socket's pending bytes are checked several times a second, and past the cap the socket is cut off
 * at once (its queue discarded, the TCP connection destroyed). Socket.IO's own close would wait for
 * the queue to drain, which a stalled client never lets happen. The client may reconnect and resume.
 */
export class BackpressureMonitor {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly server: Server,
    private readonly maxBytes: number,
    private readonly logger: Logger,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(): void {
    for (const socket of this.server.of('/').sockets.values()) {
      const bytes = pendingBytes(socket);
      if (bytes > this.maxBytes) this.cut(socket, bytes);
    }
  }

  private cut(socket: Socket, bytes: number): void {
    const conn = socket.conn as unknown as EngineInternals;
    realtimeMetrics.slowClientDisconnects.inc();
    this.logger.warn(
      { socketId: socket.id, userId: (socket.data.user as { id?: string } | undefined)?.id, bytes },
      'socket disconnected: client too slow (pending events passed WEBSOCKET_MAX_BUFFERED_BYTES)',
    );
    socket.data.disconnectReason = 'client too slow';
    const raw = conn.transport?.socket;
    conn.close(true);
    raw?.terminate?.();
  }
}
