import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { Injectable } from '@nestjs/common';
import { encodeEvent, type EventSpec } from '@parley/nats';
import type { Server } from 'socket.io';

/**
 * The Socket.IO server, for the features that emit (forwarders, pools) without depending on the
 * gateway class. Emits go through the Redis adapter, so a room's sockets on every copy receive them.
 * Every emit names its event (SOCKET_EVENTS) and sends that event's message in its JSON form.
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
  toRooms<Desc extends DescMessage>(
    rooms: string[],
    event: EventSpec<Desc>,
    message: MessageInitShape<Desc>,
  ): void {
    this.io.to(rooms).emit(event.subject, encodeEvent(event, message));
  }

  /** As toRooms, to the sockets of this copy only (each copy emits what it took from NATS itself). */
  toLocalRooms<Desc extends DescMessage>(
    rooms: string[],
    event: EventSpec<Desc>,
    message: MessageInitShape<Desc>,
  ): void {
    this.io.local.to(rooms).emit(event.subject, encodeEvent(event, message));
  }

  toAll<Desc extends DescMessage>(event: EventSpec<Desc>, message: MessageInitShape<Desc>): void {
    this.io.emit(event.subject, encodeEvent(event, message));
  }
}
