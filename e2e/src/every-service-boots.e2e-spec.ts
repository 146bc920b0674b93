import { checkGrpcHealth } from '@parley/grpc';
import { freePort, startServiceProcess, startStack, Stack } from '@parley/testing';
import { Client } from 'pg';

const ALL = ['auth', 'chat', 'model-gateway', 'retrieval', 'files', 'realtime', 'gateway'] as const;

describe('every service as its own process', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ copies: Object.fromEntries(ALL.map((name) => [name, 1])) });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it.each(ALL)('%s answers liveness, readiness and Prometheus metrics', async (name) => {
    const proc = stack.services[name]![0]!;
    expect((await fetch(`${proc.httpUrl}/health/live`)).status).toBe(200);
    const ready = await fetch(`${proc.httpUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
    // The gateway's metrics are on its internal metrics port; its public port answers 404 for them.
    const metricsUrl = name === 'gateway' ? stack.gatewayMetricsUrls[0]! : proc.httpUrl;
    if (name === 'gateway') expect((await fetch(`${proc.httpUrl}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metrics).toContain(`service="${name}"`);
    expect(metrics).toContain('process_resident_memory_bytes');
  });

  it.each(['auth', 'chat', 'model-gateway', 'retrieval', 'files'] as const)(
    '%s serves grpc.health.v1 as SERVING',
    async (name) => {
      expect(await checkGrpcHealth(stack.grpcTargets[name]![0]!)).toBe('SERVING');
    },
  );

  it('serves retrieval a vector store with pgvector over the PostgreSQL wire protocol', async () => {
    expect(stack.vectorStoreUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const client = new Client({ connectionString: stack.vectorStoreUrl });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      const { rows } = await client.query<{ d: number }>(`SELECT '[1,0]'::vector <=> '[0,1]'::vector AS d`);
      expect(rows[0]!.d).toBeCloseTo(1, 6);
    } finally {
      await client.end();
    }
  });

  it('serves the web app from the gateway with index.html as no-cache and assets as immutable', async () => {
    const gateway = stack.gatewayUrls[0]!;
    const index = await fetch(`${gateway}/some/client/route`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${gateway}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    const unknownApi = await fetch(`${gateway}/api/v1/nothing-here`);
    expect(unknownApi.status).toBe(404);
  });

  it('exits 0 on SIGTERM, every one of them', async () => {
    for (const name of ALL) {
      const proc = stack.services[name]![0]!;
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
  });
});

describe('configuration and dependency failures', () => {
  it('refuses to start with a bad configuration and names each bad variable', async () => {
    const httpPort = await freePort();
    const attempt = startServiceProcess('auth', {
      httpPort,
      env: { HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://root:hunter2@db/x', JWT_EXPIRES_IN: 'forever' },
      readyTimeoutMs: 10_000,
    });
    const error: Error = await attempt.then(
      () => new Error('started'),
      (e: Error) => e,
    );
    expect(error.message).toContain('exited (78)');
    expect(error.message).toContain('HTTP_PORT must be a TCP port number (got "eighty")');
    expect(error.message).toContain('DATABASE_URL must be a URL starting with postgres:// or postgresql://');
    expect(error.message).toContain('WEBUI_SECRET_KEY is required');
    expect(error.message).toContain('CALLER_ASSERTION_SECRET is required');
    expect(error.message).toContain('JWT_EXPIRES_IN must be a duration');
    expect(error.message).not.toContain('hunter2');
  });

  it('reports not ready, naming PostgreSQL, while the database is unreachable', async () => {
    const httpPort = await freePort();
    const closedPort = await freePort();
    const proc = await startServiceProcess('chat', {
      httpPort,
      env: {
        HTTP_PORT: String(httpPort),
        GRPC_PORT: String(await freePort()),
        DATABASE_URL: `postgresql://postgres@127.0.0.1:${closedPort}/x`,
        CALLER_ASSERTION_SECRET: 'a caller assertion secret for this test',
      },
      waitFor: 'live',
    });
    try {
      const ready = await fetch(`${proc.httpUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        detail: 'not ready: postgres unreachable',
        checks: { postgres: 'down', nats: 'up' },
      });
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });
});
