import type { Attributes, HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
  type CollectionResult,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { MetricObjectWithValues, MetricValue, MetricValueWithName, Registry } from 'prom-client';

/**
 * The process's Prometheus registry as OpenTelemetry metrics: every collection reads the registry (the
 * same numbers /metrics shows) and maps each family to OTel's data model: counters to monotonic
 * cumulative sums, gauges to gauges, histograms to explicit-bucket histograms. Summaries have no OTel
 * equivalent and are left to the Prometheus scrape. The official OTLP exporter does the protocol.
 *
 * (No maintained prom-client → OpenTelemetry bridge exists in the OpenTelemetry project; the one on npm
 * goes through Prometheus remote-write protobufs. This is the mapping the OTel data-model spec gives.)
 */
export class PrometheusRegistryProducer implements MetricProducer {
  private readonly startTime: HrTime = hrTime();

  constructor(private readonly registry: Registry) {}

  async collect(): Promise<CollectionResult> {
    const families = (await this.registry.getMetricsAsJSON()) as MetricObjectWithValues<
      MetricValue<string> | MetricValueWithName<string>
    >[];
    const endTime = hrTime();
    const metrics = families
      .map((family) => toMetricData(family, this.startTime, endTime))
      .filter((metric): metric is MetricData => metric !== undefined);
    return {
      resourceMetrics: {
        resource: resourceFromAttributes({}),
        scopeMetrics: [{ scope: { name: 'parley' }, metrics }],
      },
      errors: [],
    };
  }
}

type PromValue = MetricValue<string> & { metricName?: string };

function toMetricData(
  family: MetricObjectWithValues<PromValue>,
  startTime: HrTime,
  endTime: HrTime,
): MetricData | undefined {
  const descriptor = { name: family.name, description: family.help, unit: '', valueType: 1 };
  const type = String(family.type);
  const point = (value: PromValue) => ({
    startTime,
    endTime,
    attributes: value.labels as Attributes,
    value: value.value,
  });
  const cumulative = { descriptor, aggregationTemporality: AggregationTemporality.CUMULATIVE };
  if (type === 'counter')
    return {
      ...cumulative,
      dataPointType: DataPointType.SUM,
      isMonotonic: true,
      dataPoints: family.values.map(point),
    };
  if (type === 'gauge')
    return { ...cumulative, dataPointType: DataPointType.GAUGE, dataPoints: family.values.map(point) };
  if (type === 'histogram')
    return {
      ...cumulative,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: histogramPoints(family, startTime, endTime),
    };
  return undefined;
}

/** prom-client gives cumulative `_bucket` series (label `le`) plus `_sum` and `_count` per label set. */
function histogramPoints(family: MetricObjectWithValues<PromValue>, startTime: HrTime, endTime: HrTime) {
  const series = new Map<
    string,
    { labels: Attributes; bounds: Array<[number, number]>; sum: number; count: number }
  >();
  for (const value of family.values) {
    const { le, ...labels } = value.labels as Record<string, string | number>;
    const key = JSON.stringify(Object.entries(labels).sort());
    const entry = series.get(key) ?? { labels, bounds: [], sum: 0, count: 0 };
    series.set(key, entry);
    if (value.metricName?.endsWith('_bucket') && le !== undefined && le !== '+Inf')
      entry.bounds.push([Number(le), value.value]);
    else if (value.metricName?.endsWith('_sum')) entry.sum = value.value;
    else if (value.metricName?.endsWith('_count')) entry.count = value.value;
  }
  return [...series.values()].map((entry) => {
    const bounds = entry.bounds.sort((x, y) => x[0] - y[0]);
    // Cumulative to per-bucket counts; the last bucket (above every boundary) holds the rest.
    const counts = bounds.map(([, cumulative], i) => cumulative - (i ? bounds[i - 1]![1] : 0));
    counts.push(entry.count - (bounds.length ? bounds[bounds.length - 1]![1] : 0));
    return {
      startTime,
      endTime,
      attributes: entry.labels,
      value: {
        buckets: { boundaries: bounds.map(([bound]) => bound), counts },
        sum: entry.sum,
        count: entry.count,
      },
    };
  });
}

let meterProvider: MeterProvider | undefined;

/**
 * Pushes the registry's metrics over OTLP/HTTP every `intervalMs` (OTEL_METRIC_EXPORT_INTERVAL) to
 * `endpoint` + /v1/metrics, with the same resource as the spans.
 */
export function startOtlpMetrics(options: {
  registry: Registry;
  endpoint: string;
  intervalMs: number;
  resource: Attributes;
}): void {
  if (meterProvider) return;
  const exporter = new OTLPMetricExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/metrics` });
  meterProvider = new MeterProvider({
    resource: resourceFromAttributes(options.resource),
    readers: [
      new PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: options.intervalMs,
        exportTimeoutMillis: Math.min(30_000, options.intervalMs),
        metricProducers: [new PrometheusRegistryProducer(options.registry)],
      }),
    ],
  });
}

/** Exports once more and stops; part of the drain on shutdown. */
export async function shutdownOtlpMetrics(): Promise<void> {
  await meterProvider?.shutdown().catch(() => undefined);
  meterProvider = undefined;
}
