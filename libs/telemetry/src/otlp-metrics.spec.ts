import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PrometheusRegistryProducer } from './otlp-metrics';

describe('the Prometheus registry as OpenTelemetry metrics', () => {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'test' });
  const counter = new Counter({
    name: 'jobs_total',
    help: 'Jobs',
    labelNames: ['kind'],
    registers: [registry],
  });
  const gauge = new Gauge({ name: 'queue_depth', help: 'Depth', registers: [registry] });
  const histogram = new Histogram({
    name: 'wait_seconds',
    help: 'Waits',
    labelNames: ['route'],
    buckets: [0.1, 1, 10],
    registers: [registry],
  });

  async function metric(name: string): Promise<MetricData> {
    const { resourceMetrics, errors } = await new PrometheusRegistryProducer(registry).collect();
    expect(errors).toEqual([]);
    const found = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === name);
    if (!found) throw new Error(`${name} was not collected`);
    return found;
  }

  it('makes counters monotonic sums with their labels', async () => {
    counter.inc({ kind: 'a' }, 3);
    counter.inc({ kind: 'b' });
    const sum = await metric('jobs_total');
    expect(sum).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true });
    expect(sum.dataPoints.map((p) => [p.attributes, p.value])).toEqual(
      expect.arrayContaining([
        [{ kind: 'a', service: 'test' }, 3],
        [{ kind: 'b', service: 'test' }, 1],
      ]),
    );
  });

  it('makes gauges gauges', async () => {
    gauge.set(7);
    const depth = await metric('queue_depth');
    expect(depth.dataPointType).toBe(DataPointType.GAUGE);
    expect(depth.dataPoints[0]!.value).toBe(7);
  });

  it('turns cumulative Prometheus buckets into per-bucket counts, one point per label set', async () => {
    for (const seconds of [0.05, 0.5, 0.5, 5, 50]) histogram.observe({ route: '/x' }, seconds);
    histogram.observe({ route: '/y' }, 0.01);
    const waits = await metric('wait_seconds');
    expect(waits.dataPointType).toBe(DataPointType.HISTOGRAM);
    const x = waits.dataPoints.find((p) => p.attributes.route === '/x')!;
    expect(x.attributes).toEqual({ route: '/x', service: 'test' });
    expect(x.value).toEqual({
      buckets: { boundaries: [0.1, 1, 10], counts: [1, 2, 1, 1] },
      sum: 56.05,
      count: 5,
    });
    const y = waits.dataPoints.find((p) => p.attributes.route === '/y')!;
    expect(y.value).toMatchObject({ buckets: { counts: [1, 0, 0, 0] }, count: 1 });
  });
});
