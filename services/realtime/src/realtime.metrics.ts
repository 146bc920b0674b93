import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '@parley/telemetry';

/** The realtime service's own Prometheus series (on /metrics with the process defaults). */
export const realtimeMetrics = {
  sockets: new Gauge({
    name: 'parley_realtime_sockets',
    help: 'Sockets connected to this copy',
    registers: [metricsRegistry],
  }),
  slowClientDisconnects: new Counter({
    name: 'parley_realtime_slow_client_disconnects_total',
    help: 'Sockets cut off because they did not read their events and passed the buffer cap',
    registers: [metricsRegistry],
  }),
  completionDeltas: new Counter({
    name: 'parley_realtime_completion_deltas_total',
    help: "Completion deltas taken from NATS, by outcome (forwarded: emitted to this copy's sockets; recovered: stored only by the durable consumer; invalid)",
    labelNames: ['outcome'],
    registers: [metricsRegistry],
  }),
};
