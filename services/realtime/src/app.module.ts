import { DynamicModule, Module } from '@nestjs/common';
import {
  apiKeyLookupVia,
  ApiKeyResolver,
  AUTHENTICATOR,
  CredentialAuthenticator,
  RevocationList,
  TokenAuthenticator,
  TokenVerifier,
} from '@parley/auth-guard';
import { callerSigning, createGrpcClient, serviceCaller } from '@parley/grpc';
import { LifecycleModule } from '@parley/lifecycle';
import { LOGGER, Logger } from '@parley/logging';
import { NatsModule, natsSubjectPrefix } from '@parley/nats';
import { authV1 } from '@parley/proto';
import { ChatAccessClient } from './chats/chat-access.client';
import { CompletionForwarder } from './completions/completion-forwarder';
import { CompletionStreamRepository } from './completions/completion-stream.repository';
import { ReplayBufferRepository } from './completions/replay-buffer.repository';
import { EventForwarder } from './events/event-forwarder';
import { REALTIME_CONFIG, RealtimeConfig } from './realtime.config';
import { RealtimeRedis } from './redis/realtime-redis';
import { SessionPoolRepository } from './sessions/session-pool.repository';
import { SessionPoolService } from './sessions/session-pool.service';
import { RealtimeGateway } from './sockets/realtime.gateway';
import { SocketEmitter } from './sockets/socket-emitter';
import { UsagePoolRepository } from './usage/usage-pool.repository';
import { UsagePoolService } from './usage/usage-pool.service';

@Module({})
export class RealtimeAppModule {
  static register(config: RealtimeConfig, logger: Logger): DynamicModule {
    const auth = createGrpcClient(authV1.AuthService, config.AUTH_GRPC_URL, {
      deadlineMs: config.GRPC_DEADLINE_MS,
      peerName: 'auth',
      signing: callerSigning(config, 'realtime', 'auth'),
      // Realtime asks auth only as itself (token keys, API key lookups).
      defaultCaller: serviceCaller('realtime'),
    });
    return {
      module: RealtimeAppModule,
      imports: [
        LifecycleModule.forRoot(),
        NatsModule.forRoot({
          url: config.NATS_URL,
          name: `realtime-${process.pid}`,
          logger,
          subjectPrefix: natsSubjectPrefix(config),
        }),
      ],
      providers: [
        { provide: REALTIME_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: TokenVerifier,
          useValue: new TokenVerifier({
            fetchJwks: async () => JSON.parse((await auth.getJwks({})).jwksJson),
          }),
        },
        RealtimeRedis,
        {
          // Revocations are the installation's (on the main Redis, where the auth service writes them), not
          // per realtime cluster.
          provide: RevocationList,
          inject: [RealtimeRedis],
          useFactory: (redis: RealtimeRedis) => {
            // Its subscribe waits for Redis however long it takes (and resubscribes after a restart).
            // (A subscriber keeps its offline queue: the command connection's fail-fast policy would drop
            // the SUBSCRIBE sent before the connection is up, and revocations would never be heard.)
            const subscriber = redis.mainClient.duplicate({
              connectionName: 'parley-realtime-revocations',
              maxRetriesPerRequest: null,
              enableOfflineQueue: true,
            });
            subscriber.on('error', () => undefined);
            const list = new RevocationList(redis.mainClient, subscriber);
            void list.start();
            return list;
          },
        },
        {
          // Tokens or API keys, as on the gateway; revoked ones are refused.
          provide: AUTHENTICATOR,
          inject: [TokenVerifier, RevocationList],
          useFactory: (verifier: TokenVerifier, revocations: RevocationList) =>
            new CredentialAuthenticator(
              new TokenAuthenticator(verifier, revocations),
              new ApiKeyResolver(
                apiKeyLookupVia((request) => auth.authenticateApiKey(request)),
                revocations,
              ),
            ),
        },
        SocketEmitter,
        SessionPoolRepository,
        SessionPoolService,
        UsagePoolRepository,
        UsagePoolService,
        ReplayBufferRepository,
        CompletionStreamRepository,
        CompletionForwarder,
        ChatAccessClient,
        RealtimeGateway,
        EventForwarder,
      ],
    };
  }
}
