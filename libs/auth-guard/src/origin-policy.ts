/**
 * Which browser origins may talk to Parley with the session cookie or a socket: `CORS_ALLOW_ORIGIN`
 * (Open WebUI's name), a `;`-separated list of origins, or `*` for any. The serving site's own origin is
 * always allowed by the callers of this policy. Origins are compared as scheme + host + port: a
 * trailing slash, letter case or a default port make no difference.
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

/** Whether the policy lists this origin (or allows any); the own-origin rule is the caller's. */
export function policyAllows(policy: OriginPolicy, origin: string): boolean {
  if (policy.any) return true;
  const normalised = normalizeOrigin(origin);
  return normalised !== undefined && policy.origins.has(normalised);
}
