import { otlpTraceEndpoint } from './bootstrap-service';

describe('otlpTraceEndpoint (Open WebUI’s ENABLE_OTEL switches)', () => {
  const endpoint = 'http://otel-collector:4318';

  it('exports to the endpoint when one is set and nothing says otherwise', () => {
    expect(otlpTraceEndpoint({ ENABLE_OTEL_TRACES: true, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })).toBe(
      endpoint,
    );
    expect(otlpTraceEndpoint({ ENABLE_OTEL_TRACES: true })).toBeUndefined();
  });

  it('exports to a local collector when ENABLE_OTEL is on without an endpoint', () => {
    expect(otlpTraceEndpoint({ ENABLE_OTEL: true, ENABLE_OTEL_TRACES: true })).toBe('http://localhost:4318');
  });

  it('keeps spans local when ENABLE_OTEL or ENABLE_OTEL_TRACES is off, endpoint or not', () => {
    expect(
      otlpTraceEndpoint({
        ENABLE_OTEL: false,
        ENABLE_OTEL_TRACES: true,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      }),
    ).toBeUndefined();
    expect(
      otlpTraceEndpoint({
        ENABLE_OTEL: true,
        ENABLE_OTEL_TRACES: false,
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      }),
    ).toBeUndefined();
  });
});
