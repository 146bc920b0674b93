// Pure parts of the audit log: which requests are audited, and how bodies are redacted and cut.

export const AUDIT_LEVELS = ['NONE', 'METADATA', 'REQUEST', 'REQUEST_RESPONSE'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Sign-in attempts are audited whatever the exclusions say. */
export const SIGN_IN_PATHS = ['/api/v1/auths/signin', '/api/v1/auths/ldap'];

/** Keys whose values never reach the audit log, at any depth of a body. */
const SECRET_KEY = /pass(word|wd|phrase)?|token|secret|key|authorization|cookie|credential|jwt|otp/i;
export const REDACTED = '[REDACTED]';

/** `AUDIT_EXCLUDED_PATHS` (comma separated, as Open WebUI: `/chats,/folders`) as a matcher. */
export function excludedPathMatcher(list: string): (path: string) => boolean {
  const prefixes = list
    .split(',')
    .map((p) => p.trim().replace(/^\/+|\/+$/g, ''))
    .filter(Boolean);
  if (!prefixes.length) return () => false;
  return (path) =>
    prefixes.some((prefix) =>
      ['/api/v1/', '/api/', '/'].some((root) => {
        const full = `${root}${prefix}`;
        return path === full || path.startsWith(`${full}/`);
      }),
    );
}

export function isAudited(method: string, path: string, excluded: (path: string) => boolean): boolean {
  if (SIGN_IN_PATHS.includes(path)) return method === 'POST';
  return STATE_CHANGING.has(method) && !excluded(path);
}

/** A copy of `value` with every secret-looking key's value replaced, bounded in depth and width. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 20) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 1000).map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>).slice(0, 1000)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return out;
}

/** The redacted body as JSON text, cut to `max` characters (Open WebUI's AUDIT_MAX_BODY_LOG_SIZE). */
export function bodyForLog(body: unknown, max: number): string | undefined {
  if (body === undefined) return undefined;
  let text: string;
  if (typeof body === 'string') {
    // A text body may be JSON (an error answer, a raw body): redact it as such when it parses.
    try {
      text = JSON.stringify(redact(JSON.parse(body)));
    } catch {
      text = body;
    }
  } else if (Buffer.isBuffer(body)) text = `[${body.length} bytes]`;
  else text = JSON.stringify(redact(body)) ?? '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
