import { Metadata } from '@grpc/grpc-js';
import { currentRequestId, REQUEST_ID_HEADER } from '@parley/logging';
import { extractTraceContext, injectTraceContext, type Context } from '@parley/telemetry';

/** Outgoing metadata: the request id and the trace context of the current call chain. */
export function outgoingMetadata(): Metadata {
  const metadata = new Metadata();
  const requestId = currentRequestId();
  if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
  const carrier: Record<string, string> = {};
  injectTraceContext(carrier);
  for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
  return metadata;
}

export function incomingRequestId(metadata: Metadata): string | undefined {
  const value = metadata.get(REQUEST_ID_HEADER)[0];
  return typeof value === 'string' ? value : undefined;
}

export function incomingTraceContext(metadata: Metadata): Context {
  return extractTraceContext((key) => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  });
}
