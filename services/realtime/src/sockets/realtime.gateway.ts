import { Inject, UseInterceptors } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import {
  AUTHENTICATOR,
  AuthenticatedUser,
  Authenticator,
  RevocationList,
  parseOriginPolicy,
} from '@parley/auth-guard';
import type { JsonValue } from '@bufbuild/protobuf';
import { DomainError } from '@parley/errors';
import { LOGGER, Logger } from '@parley/logging';
import { encodeEvent } from '@parley/nats';
import { ChatAccessClient } from '../chats/chat-access.client';
import { ReplayBufferRepository } from '../completions/replay-buffer.repository';
import {
  Ack,
  chatRoomRequestSchema,
  resumeRequestSchema,
  SOCKET_EVENTS,
  toChatCompletionEvent,
  refusal,
} from '../events/realtime-events';
import { REALTIME_CONFIG, RealtimeConfig } from '../realtime.config';
import { realtimeMetrics } from '../realtime.metrics';
import { SessionPoolService } from '../sessions/session-pool.service';
import { UsagePoolService } from '../usage/usage-pool.service';
import { BackpressureMonitor } from './backpressure-monitor';
import { PayloadGuardInterceptor } from './payload-guard.interceptor';
import { ADMIN_ROOM, chatRoom, userRoom } from './rooms';
import { cutRevokedSockets } from './revoked-socket-cutter';
import { socketAuthMiddleware } from './socket-auth';
import { SocketEmitter } from './socket-emitter';

const userOf = (socket: Socket): AuthenticatedUser => socket.data.user as AuthenticatedUser;

/**
 * The Socket.IO endpoint: authenticates each connection, puts it in its user's room (and admins in the
 * admins' room), keeps it in the session pool, and answers the client's requests (join a chat's room,
 * resume completions, read the pools). Every request is acknowledged with `{ ok, ... }`; every handler
 * runs behind PayloadGuardInterceptor (hostile payloads and handler failures become `{ ok: false }`).
 */
@WebSocketGateway()
@UseInterceptors(PayloadGuardInterceptor)
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() server!: Server;
  private monitor?: BackpressureMonitor;

  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(RevocationList) private readonly revocations: RevocationList,
    @Inject(REALTIME_CONFIG) private readonly config: RealtimeConfig,
    @Inject(SocketEmitter) private readonly emitter: SocketEmitter,
    @Inject(SessionPoolService) private readonly sessions: SessionPoolService,
    @Inject(UsagePoolService) private readonly usage: UsagePoolService,
    @Inject(ReplayBufferRepository) private readonly replay: ReplayBufferRepository,
    @Inject(ChatAccessClient) private readonly chats: ChatAccessClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: Server): void {
    server.use(socketAuthMiddleware(this.authenticator, parseOriginPolicy(this.config.CORS_ALLOW_ORIGIN)));
    cutRevokedSockets(server, this.revocations, this.logger);
    this.emitter.attach(server);
    this.monitor = new BackpressureMonitor(server, this.config.WEBSOCKET_MAX_BUFFERED_BYTES, this.logger);
    this.monitor.start();
    server.on('close', () => this.monitor?.stop());
  }

  async handleConnection(socket: Socket): Promise<void> {
    const user = userOf(socket);
    realtimeMetrics.sockets.inc();
    // Registered before the first await, so a disconnect that comes early always finds it.
    const registered = this.sessions.add({ socketId: socket.id, userId: user.id });
    await socket.join(user.role === 'admin' ? [userRoom(user.id), ADMIN_ROOM] : userRoom(user.id));
    await registered;
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    realtimeMetrics.sockets.dec();
    await this.sessions.remove(socket.id);
  }

  /** Joins a chat's room; the chat service must confirm the user owns the chat. */
  @SubscribeMessage('chat:join')
  async joinChat(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    const request = chatRoomRequestSchema.safeParse(body);
    if (!request.success) return refusal('Send { chat_id }.', 'INVALID_INPUT');
    try {
      if (!(await this.chats.maySee(userOf(socket), request.data.chat_id))) {
        return refusal('No such chat.', 'CHAT_NOT_FOUND');
      }
    } catch (error) {
      return this.failure(error, 'chat:join');
    }
    await socket.join(chatRoom(request.data.chat_id));
    return { ok: true };
  }

  @SubscribeMessage('chat:leave')
  async leaveChat(@ConnectedSocket() socket: Socket, @MessageBody() body: unknown): Promise<Ack> {
    const request = chatRoomRequestSchema.safeParse(body);
    if (!request.success) return refusal('Send { chat_id }.', 'INVALID_INPUT');
    await socket.leave(chatRoom(request.data.chat_id));
    return { ok: true };
  }

  /**
   * The deltas a reconnecting client is missing: for `{ message_id, after_seq }` that message's deltas
   * after `after_seq`; for `{ streams: [...] }` those of every named message, and every other answer of
   * the user that is streaming (or just finished) from its first delta.
   */
  @SubscribeMessage('chat:completion:resume')
  async resume(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<Ack<{ completions: JsonValue[] }>> {
    const request = resumeRequestSchema.safeParse(body);
    if (!request.success) {
      return refusal(
        'Send { message_id, after_seq } or { streams: [{ message_id, after_seq }] }.',
        'INVALID_INPUT',
      );
    }
    const userId = userOf(socket).id;
    try {
      const wanted = new Map<string, number>();
      if ('streams' in request.data) {
        for (const stream of request.data.streams) wanted.set(stream.message_id, stream.after_seq);
        for (const messageId of await this.replay.recent(userId)) {
          if (!wanted.has(messageId)) wanted.set(messageId, 0);
        }
      } else {
        wanted.set(request.data.message_id, request.data.after_seq);
      }
      // The `chat:completion` payloads, exactly as the live events carry them.
      const completions: JsonValue[] = [];
      for (const [messageId, afterSeq] of wanted) {
        for (const delta of await this.replay.after(userId, messageId, afterSeq)) {
          completions.push(encodeEvent(SOCKET_EVENTS.chatCompletion, toChatCompletionEvent(delta)));
        }
      }
      return { ok: true, completions };
    } catch (error) {
      return this.failure(error, 'chat:completion:resume');
    }
  }

  @SubscribeMessage('usage:get')
  async usageGet(): Promise<Ack<{ models: string[] }>> {
    try {
      return { ok: true, models: await this.usage.models() };
    } catch (error) {
      return this.failure(error, 'usage:get');
    }
  }

  @SubscribeMessage('user-count:get')
  async userCountGet(@ConnectedSocket() socket: Socket): Promise<Ack<{ count: number }>> {
    if (userOf(socket).role !== 'admin')
      return refusal('Only admins see the user count.', 'PERMISSION_DENIED');
    try {
      return { ok: true, count: await this.sessions.activeUserCount() };
    } catch (error) {
      return this.failure(error, 'user-count:get');
    }
  }

  private failure(error: unknown, what: string): { ok: false; detail: string; code: string } {
    if (error instanceof DomainError) return refusal(error.message, error.code);
    this.logger.error({ err: error, what }, 'socket request failed');
    return refusal('The realtime service could not answer; try again shortly.', 'INTERNAL');
  }
}
