import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which browser origins may open a socket: `CORS_ALLOW_ORIGIN` (Open WebUI's name), a `;`-separated
 * list of origins or `*`. The gateway's own origin is always allowed; with nothing set it is the only
 * one. Origins are compared as scheme + host + port (a trailing slash or a default port makes no
 * difference). A handshake without an Origin header is not a browser's and is let through: it still
 * needs a token, which a cross-site page cannot attach to someone else's socket.
 */
export interface OriginPolicy {
  any: boolean;
  origins: ReadonlySet<string>;
}

/** `https://a.example.com:443/` → `https://a.example.com`; undefined for anything not an http(s) origin. */
export function normalizeOrigin(text: string): string | undefined {
  const trimmed = text.trim().replace(/\/+$/, '');
  if (!trimmed || trimmed === 'null') return undefined;
  try {
    const url = new URL(trimmed);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export function parseOriginPolicy(value: string | undefined): OriginPolicy {
  const entries = (value ?? '')
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.includes('*')) return { any: true, origins: new Set() };
  const origins = new Set<string>();
  for (const entry of entries) {
    const origin = normalizeOrigin(entry);
    if (origin) origins.add(origin);
  }
  return { any: false, origins };
}

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
 * Why a handshake's Origin is refused, or undefined when it may connect. Same origin means the
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
