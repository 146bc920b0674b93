import { randomBytes } from 'node:crypto';
import { parseConfig } from '@parley/config';
import { createGrpcClient, type Caller } from '@parley/grpc';
import { authV1 } from '@parley/proto';
import {
  InProcessService,
  serviceCaller,
  startInProcess,
  TEST_CALLER_SECRET,
  TestDatabase,
  testCallerSigning,
  testInfrastructure,
} from '@parley/testing';
import { AuthAppModule } from '../src/app.module';
import { authConfigSchema } from '../src/auth.config';

export type AuthClient = ReturnType<typeof createGrpcClient<(typeof authV1.AuthService)['method']>>;

export interface AuthUnderTest {
  service: InProcessService;
  /** A client signing for `defaultCaller` (the gateway's service identity unless told otherwise). */
  auth: AuthClient;
  stop(): Promise<void>;
}

/** The auth service in this process, on real gRPC and a real database, with a client to call it. */
export async function startAuthService(
  db: TestDatabase,
  env: Record<string, string> = {},
  defaultCaller: Caller | undefined = serviceCaller('gateway'),
): Promise<AuthUnderTest> {
  const infra = await testInfrastructure();
  const config = parseConfig(authConfigSchema, {
    CALLER_ASSERTION_SECRET: TEST_CALLER_SECRET,
    DATABASE_URL: db.url,
    NATS_URL: infra.natsUrl,
    REDIS_URL: infra.redisUrl,
    WEBUI_SECRET_KEY: randomBytes(24).toString('hex'),
    ...env,
  });
  const service = await startInProcess('auth', ({ logger, grpcHost }) =>
    AuthAppModule.register(config, logger, grpcHost),
  );
  const auth = createGrpcClient(authV1.AuthService, service.grpcTarget, {
    deadlineMs: 10_000,
    peerName: 'auth',
    signing: testCallerSigning('auth'),
    defaultCaller,
  });
  return {
    service,
    auth,
    stop: async () => {
      auth.close();
      await service.stop();
    },
  };
}
