import type { IncomingHttpHeaders } from 'node:http';
import { normalizeOrigin, type OriginPolicy } from '@parley/auth-guard';

/** The first value of a header that a proxy may have sent as a comma-separated list. */
function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim().toLowerCase() || undefined;
}

/** A `host[:port]` with the scheme's default port left out, as `URL.host` writes it. */
function hostOf(origin: string): string {
  return new URL(origin).host.toLowerCase();
}

function withoutDefaultPort(host: string, protocol: string): string {
  if (protocol === 'https:' && host.endsWith(':443')) return host.slice(0, -4);
  if (protocol === 'http:' && host.endsWith(':80')) return host.slice(0, -3);
  return host;
}

/**
 * Why a handshake's Origin is refused (CORS_ALLOW_ORIGIN, libs/auth-guard's origin policy), or undefined
 * when it may connect. A handshake without an Origin header is not a browser's and is let through: it
 * still needs a token, which a cross-site page cannot attach to someone else's socket. Same origin means the
 * Origin's host equals the Host the browser addressed: the gateway's proxy passes Host through
 * unchanged, and X-Forwarded-Host (set by a proxy in front) is accepted too. A browser cannot set either
 * header on a WebSocket, so a cross-site page cannot fake them.
 */
export function describeRefusedOrigin(
  headers: IncomingHttpHeaders,
  policy: OriginPolicy,
): string | undefined {
  const raw = firstValue(headers.origin);
  if (raw === undefined) return undefined;
  if (policy.any) return undefined;
  const origin = normalizeOrigin(raw);
  const refusal = `Origin ${raw.slice(0, 200)} may not open a socket here: set CORS_ALLOW_ORIGIN to allow it.`;
  if (!origin) return refusal;
  if (policy.origins.has(origin)) return undefined;
  const protocol = new URL(origin).protocol;
  const host = hostOf(origin);
  for (const addressed of [firstValue(headers['x-forwarded-host']), firstValue(headers.host)]) {
    if (addressed && withoutDefaultPort(addressed, protocol) === host) return undefined;
  }
  return refusal;
}
