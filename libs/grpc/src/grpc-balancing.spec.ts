import { CallerSigner, serviceCaller } from './caller-assertion';
import { createGrpcClient } from './grpc-client';
import { loopbackModelGateway } from './spec-support';
import { modelGatewayV1 } from '@parley/proto';

const SECRET = 'balancing-spec-secret-0123456789abcdef';

/** A server that answers ListModels with one model named after itself. */
function copy(name: string) {
  const handlers = new Proxy(
    {},
    {
      get: (_, method) =>
        method === 'listModels'
          ? async () => ({ models: [{ id: name, name }] })
          : () => Promise.reject(new Error('not used here')),
    },
  );
  return loopbackModelGateway(handlers, { secret: SECRET });
}

describe('a client of a target with several addresses (a headless Service)', () => {
  it('spreads calls over every copy instead of sending all to the first', async () => {
    const a = await copy('a');
    const b = await copy('b');
    // The multi-address form grpc-js resolves like DNS answering with two pods.
    const client = createGrpcClient(
      modelGatewayV1.ModelGatewayService,
      `ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`,
      {
        deadlineMs: 5_000,
        peerName: 'model gateway',
        signing: {
          signer: new CallerSigner({ secrets: [SECRET], issuer: 'spec' }),
          audience: 'model-gateway',
        },
        defaultCaller: serviceCaller('spec'),
      },
    );
    try {
      const answered = new Set<string>();
      // Round robin alternates once both subchannels are ready; pick-first would never reach the second.
      for (let i = 0; i < 40 && answered.size < 2; i++) {
        answered.add((await client.listModels({})).models[0]!.id);
      }
      expect([...answered].sort()).toEqual(['a', 'b']);
    } finally {
      client.close();
      await a.close();
      await b.close();
    }
  });
});
