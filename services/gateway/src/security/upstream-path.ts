/**
 * The pass-through's path check: what follows /openai/ or /ollama/ must stay under the upstream's base
 * URL. The path is decoded until it no longer changes (at most a few rounds; deeper nesting is refused as
 * an attack, not a client's honest mistake), then every form that could climb out or name another host
 * is refused: `..` segments in any encoding, backslashes, NUL and control characters, `@`, a scheme or
 * `//`. Only then is it matched against the upstream API paths Open WebUI proxies.
 */
export type UpstreamPathCheck = { ok: true; path: string } | { ok: false; status: 400 | 404; detail: string };

const MAX_DECODE_ROUNDS = 3;

/** The upstream API paths forwarded, per prefix (a trailing `*` matches one path segment). */
export const UPSTREAM_PATHS: Record<'openai' | 'ollama', readonly string[]> = {
  openai: [
    'models',
    'models/*',
    'chat/completions',
    'completions',
    'embeddings',
    'responses',
    'audio/speech',
    'audio/transcriptions',
    'images/generations',
  ],
  ollama: [
    'api/tags',
    'api/version',
    'api/ps',
    'api/show',
    'api/chat',
    'api/generate',
    'api/embed',
    'api/embeddings',
    'api/pull',
    'api/push',
    'api/create',
    'api/copy',
    'api/delete',
    'api/unload',
    'v1/models',
    'v1/chat/completions',
    'v1/completions',
    'v1/embeddings',
  ],
};

function refuse(detail: string): UpstreamPathCheck {
  return { ok: false, status: 400, detail };
}

/** Checks the raw (still encoded) path after the prefix, without its query string. */
export function checkUpstreamPath(prefix: 'openai' | 'ollama', raw: string): UpstreamPathCheck {
  let decoded = raw;
  for (let round = 0; ; round++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return refuse('The upstream path is not validly percent-encoded.');
    }
    if (next === decoded) break;
    if (round >= MAX_DECODE_ROUNDS) return refuse('The upstream path is encoded too many times.');
    decoded = next;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return refuse('The upstream path has control characters.');
  if (decoded.includes('\\')) return refuse('The upstream path may not contain backslashes.');
  if (decoded.includes('@')) return refuse('The upstream path may not name a host.');
  if (/^[a-z][a-z0-9+.-]*:/i.test(decoded) || decoded.startsWith('/') || decoded.includes('//'))
    return refuse('The upstream path must be relative to the upstream base URL.');
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.'))
    return refuse('The upstream path may not contain . or .. segments.');
  const allowed = UPSTREAM_PATHS[prefix].some((pattern) => matches(pattern, segments));
  if (!allowed)
    return { ok: false, status: 404, detail: `/${prefix}/${decoded} is not an upstream API path.` };
  // Forward the path as the client encoded it once: segments like model ids may carry %2F on purpose.
  return { ok: true, path: raw };
}

function matches(pattern: string, segments: string[]): boolean {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return false;
  return parts.every((part, i) => (part === '*' ? segments[i]!.length > 0 : part === segments[i]));
}
