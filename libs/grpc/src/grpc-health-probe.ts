import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { grpcChannelCredentials } from './transport-security';

/**
 * Asks a server's grpc.health.v1 service; resolves to its status name (SERVING, NOT_SERVING, ...). Over
 * mutual TLS when the process uses transport security (useTransportSecurity), as the servers then require.
 */
export async function checkGrpcHealth(target: string, service = '', timeoutMs = 2_000): Promise<string> {
  const definition = loadPackageDefinition(
    loadSync(protoPath, { keepCase: true, enums: String }),
  ) as unknown as {
    grpc: { health: { v1: { Health: new (target: string, creds: unknown) => HealthClient } } };
  };
  const client = new definition.grpc.health.v1.Health(target, grpcChannelCredentials());
  try {
    return await new Promise<string>((resolve, reject) =>
      client.check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) =>
        error ? reject(error) : resolve(response.status),
      ),
    );
  } finally {
    client.close();
  }
}

interface HealthClient {
  check(
    request: { service: string },
    options: { deadline: number },
    callback: (error: Error | null, response: { status: string }) => void,
  ): void;
  close(): void;
}
