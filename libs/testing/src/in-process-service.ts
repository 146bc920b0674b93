import type { DynamicModule } from '@nestjs/common';
import { GrpcServerHost } from '@parley/grpc';
import { runService, RunningService } from '@parley/lifecycle';
import { createLogger, Logger } from '@parley/logging';
import { freePort } from './free-port';
import { testCallerVerifier } from './test-callers';

export interface InProcessService {
  running: RunningService;
  grpcTarget: string;
  httpUrl: string;
  stop(): Promise<void>;
}

/**
 * Runs a service's Nest module inside the test process, serving real HTTP and gRPC on free ports:
 * the medium-sized test, with real sockets and a real database but no process to spawn.
 */
export async function startInProcess(
  name: string,
  module: (context: { logger: Logger; grpcHost: GrpcServerHost }) => DynamicModule,
): Promise<InProcessService> {
  const logger = createLogger({ service: name, level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // Calls need an assertion signed with TEST_CALLER_SECRET for this service (testCallerSigning(name)).
  const grpcHost = new GrpcServerHost(logger, { callers: testCallerVerifier(name) });
  const running = await runService({
    name,
    logger,
    module: module({ logger, grpcHost }),
    httpPort: await freePort(),
    httpHost: '127.0.0.1',
    grpc: { host: grpcHost, port: await freePort() },
    shutdownGraceMs: 2_000,
    handleSignals: false,
  });
  return {
    running,
    grpcTarget: `127.0.0.1:${running.grpcPort}`,
    httpUrl: `http://127.0.0.1:${running.httpPort}`,
    stop: () => running.drain('test finished'),
  };
}
