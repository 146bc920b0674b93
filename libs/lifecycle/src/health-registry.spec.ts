import { HealthRegistry } from './health-registry';

describe('HealthRegistry', () => {
  it('is ready only when every check answers up', async () => {
    const sut = new HealthRegistry(50);
    sut.register('postgres', () => true);
    sut.register('redis', async () => false);
    expect(await sut.readiness()).toEqual({
      ready: false,
      draining: false,
      checks: { postgres: 'up', redis: 'down' },
    });
  });

  it('counts a check that throws or hangs past the timeout as down', async () => {
    const sut = new HealthRegistry(50);
    sut.register('nats', () => {
      throw new Error('boom');
    });
    sut.register('slow', () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 1_000)));
    const report = await sut.readiness();
    expect(report.checks).toEqual({ nats: 'down', slow: 'down' });
  });

  it('reports not ready while draining even with every dependency up', async () => {
    const sut = new HealthRegistry();
    sut.register('postgres', () => true);
    sut.startDraining();
    expect((await sut.readiness()).ready).toBe(false);
  });
});
