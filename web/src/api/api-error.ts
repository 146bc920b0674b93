/**
 * A failed call to the gateway. `status` is 0 when no response arrived at all
 * (offline, DNS, CORS). `detail` is the server's own words from
 * `{ "detail": ... }`, shown to the user as is.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | null,
    /** The server's stable error code (`CHAT_NOT_FOUND`, ...): what to branch on, never the sentence. */
    readonly code: string | null = null,
  ) {
    super(detail ?? (status === 0 ? 'Network error' : `HTTP ${status}`));
    this.name = 'ApiError';
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

/** Reads the stable `code` of a Parley error body (`{"detail": "...", "code": "CHAT_NOT_FOUND"}`). */
export function extractCode(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('code' in body)) return null;
  const code = (body as { code: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : null;
}

/**
 * Reads `detail` from an error body. FastAPI-style validation errors (which
 * Open WebUI clients also meet) carry a list of `{ msg }` objects instead of a
 * string; those are joined.
 */
export function extractDetail(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('detail' in body)) return null;
  const detail = (body as { detail: unknown }).detail;
  if (typeof detail === 'string') return detail.trim() === '' ? null : detail;
  if (Array.isArray(detail)) {
    const messages = detail
      .map((item) => (typeof item === 'object' && item !== null && 'msg' in item ? String(item.msg) : null))
      .filter((msg): msg is string => msg !== null);
    return messages.length > 0 ? messages.join('; ') : null;
  }
  return null;
}
