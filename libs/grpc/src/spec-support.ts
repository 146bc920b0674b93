// Shared by this library's specs only (not exported from the index).
import { create } from '@bufbuild/protobuf';
import { Client, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { DomainError } from '@parley/errors';
import { createLogger, type Logger } from '@parley/logging';
import { authV1, modelGatewayV1 } from '@parley/proto';
import { CallerSigner, CallerVerifier, serviceCaller } from './caller-assertion';
import { createGrpcClient, type ServiceClient } from './grpc-client';
import { GrpcServerHost } from './grpc-server-host';
import { toGrpcServiceDefinition } from './service-definition';

/** The error a call failed with; the test fails if it succeeded. */
export async function failureOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the call succeeded');
}

/** AuthService.GetUser sent with exactly this metadata over this raw client; resolves to the status code. */
export function rawGetUser(client: Client, metadata: Metadata): Promise<number> {
  const definition = toGrpcServiceDefinition(authV1.AuthService as never).getUser!;
  return new Promise<number>((resolve) =>
    client.makeUnaryRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      create(authV1.GetUserRequestSchema, { id: 'u1' }),
      metadata,
      { deadline: Date.now() + 5_000 },
      (error) => resolve(error?.code ?? GrpcStatus.OK),
    ),
  );
}

type ModelGatewayMethods = typeof modelGatewayV1.ModelGatewayService extends { method: infer M } ? M : never;

/**
 * A real server on a loopback port serving ModelGatewayService with `handlers` (any object: a Proxy
 * lets a spec swap handlers per test), and a client signing as a service with the same secret.
 */
export async function loopbackModelGateway(
  handlers: object,
  {
    secret,
    logger = createLogger({ service: 'spec', level: 'silent' }),
  }: { secret: string; logger?: Logger },
): Promise<{
  host: GrpcServerHost;
  port: number;
  client: ServiceClient<ModelGatewayMethods>;
  close(): Promise<void>;
}> {
  const host = new GrpcServerHost(logger, {
    callers: new CallerVerifier({ secrets: [secret], audience: 'model-gateway' }),
  });
  host.addService(modelGatewayV1.ModelGatewayService, handlers as never);
  const port = await host.listen(0, '127.0.0.1');
  host.setServing(true);
  const client = createGrpcClient(modelGatewayV1.ModelGatewayService, `127.0.0.1:${port}`, {
    deadlineMs: 5_000,
    peerName: 'model gateway',
    signing: { signer: new CallerSigner({ secrets: [secret], issuer: 'spec' }), audience: 'model-gateway' },
    defaultCaller: serviceCaller('spec'),
  });
  return {
    host,
    port,
    client,
    close: async () => {
      client.close();
      await host.drain(1_000);
    },
  };
}
