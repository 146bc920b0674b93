import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import type { RealtimeConfig } from '../realtime.config';
import { channelName } from '@parley/redis';
import type { RealtimeRedis } from '../redis/realtime-redis';

/** The Socket.IO path, behind the gateway and on this service directly. */
export const SOCKET_PATH = '/ws/socket.io';

/**
 * Socket.IO with the Redis adapter: an emit to a room on any copy reaches that room's sockets on every
 * copy. Options (path, transports, ping timing) come from config, not from decorators. The Redis
 * connections belong to RealtimeRedis; the subscriber is quit here, after Socket.IO's adapter has
 * unsubscribed, because Nest closes Socket.IO only after every shutdown hook has run.
 */
export class RedisIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly config: RealtimeConfig,
    private readonly redis: RealtimeRedis,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      path: SOCKET_PATH,
      transports: !this.config.ENABLE_WEBSOCKET_SUPPORT
        ? ['polling']
        : this.config.WEBSOCKET_ALLOW_POLLING
          ? ['polling', 'websocket']
          : ['websocket'],
      allowUpgrades: this.config.ENABLE_WEBSOCKET_SUPPORT,
      pingInterval: this.config.WEBSOCKET_SERVER_PING_INTERVAL * 1000,
      pingTimeout: this.config.WEBSOCKET_SERVER_PING_TIMEOUT * 1000,
      // The transport's hard limit: a bigger frame closes the socket. Payloads between
      // REALTIME_MAX_PAYLOAD_BYTES and this get an error ack instead (PayloadGuardInterceptor).
      maxHttpBufferSize: Math.max(1_000_000, 4 * this.config.REALTIME_MAX_PAYLOAD_BYTES),
      serveClient: false,
    });
    const key =
      this.config.REALTIME_CLUSTER === 'realtime'
        ? 'parley-socket.io'
        : `parley-socket.io-${this.config.REALTIME_CLUSTER}`;
    server.adapter(
      createAdapter(this.redis.client, this.redis.subscriber, { key: channelName(this.redis.client, key) }),
    );
    this.redis.subscriberClosedByAdapter = true;
    return server;
  }

  /** Socket.IO closes its Redis adapter (which unsubscribes) first; the subscriber can go after. */
  override async close(server: Server): Promise<void> {
    await super.close(server);
    await this.redis.closeSubscriber();
  }
}
