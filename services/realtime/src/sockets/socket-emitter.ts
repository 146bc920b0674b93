import { Injectable } from '@nestjs/common';
import type { Server } from 'socket.io';

/**
 * The Socket.IO server, for the features that emit (forwarders, pools) without depending on the
 * gateway class. Emits go through the Redis adapter, so a room's sockets on every copy receive them.
 */
@Injectable()
export class SocketEmitter {
  private server?: Server;

  attach(server: Server): void {
    this.server = server;
  }

  get io(): Server {
    if (!this.server) throw new Error('The Socket.IO server is not started yet.');
    return this.server;
  }

  /** Emits to the union of rooms: a socket in several of them receives the event once. */
  toRooms(rooms: string[], event: string, payload: unknown): void {
    this.io.to(rooms).emit(event, payload);
  }

  toAll(event: string, payload: unknown): void {
    this.io.emit(event, payload);
  }
}
