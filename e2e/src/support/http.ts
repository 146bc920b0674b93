import { randomUUID } from 'node:crypto';
/** Small helpers for talking to the gateway the way any HTTP client would. */
export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.rawBody !== undefined)
    headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; leave the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export interface SignedUp {
  id: string;
  email: string;
  role: string;
  token: string;
}

export async function signUp(
  baseUrl: string,
  name: string,
  email: string,
  password = 'correct horse battery',
  headers: Record<string, string> = {},
): Promise<SignedUp> {
  const res = await request<SignedUp>(baseUrl, 'POST', '/api/v1/auths/signup', {
    body: { name, email, password },
    headers,
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Sign-ups from their own documentation addresses (`prefix` inside 2001:db8::/32, one per suite), so
 * the per-IP sign-in limit never mixes suites that share the machine's Redis.
 */
export function signUpsFrom(prefix: string): (gateway: string, name: string) => Promise<SignedUp> {
  let count = 0;
  return (gateway, name) =>
    signUp(gateway, name, `${name.toLowerCase()}-${randomUUID()}@example.com`, undefined, {
      'x-forwarded-for': `${prefix}${(++count).toString(16)}`,
    });
}

/** A new group made by an admin (Open WebUI's /groups/create) with these members: its id. */
export async function createGroup(
  gateway: string,
  admin: SignedUp,
  prefix: string,
  userIds: string[],
  permissions?: Record<string, unknown>,
): Promise<string> {
  const res = await request<{ id: string }>(gateway, 'POST', '/api/v1/groups/create', {
    token: admin.token,
    body: { name: `${prefix}-${randomUUID()}`, user_ids: userIds, ...(permissions ? { permissions } : {}) },
  });
  if (res.status !== 200) throw new Error(`group not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A new API key of the user's (`sk-...`). */
export async function apiKeyOf(gateway: string, who: SignedUp): Promise<string> {
  const res = await request<{ api_key: string }>(gateway, 'POST', '/api/v1/auths/api_key', {
    token: who.token,
  });
  if (res.status !== 200) throw new Error(`API key not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.api_key;
}

/**
 * Repeats a request until its status is `want` (or the time is up, then returns the last answer): for
 * a change made through one copy that another copy learns of by an event, a moment later.
 */
export async function untilStatus<T = Record<string, unknown>>(
  want: number,
  send: () => Promise<JsonResponse<T>>,
  timeoutMs = 10_000,
): Promise<JsonResponse<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await send();
    if (answer.status === want || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Repeats `read` until `done` holds for its answer (or the time is up, then returns the last answer): for
 * a change made through one copy that another copy applies a moment later.
 */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Open WebUI's upload (multipart `file`, `?process=true`): the new file's id, or an error with the answer. */
export async function uploadFile(
  gateway: string,
  who: SignedUp,
  bytes: Buffer | string,
  filename: string,
): Promise<string> {
  const form = new FormData();
  const data = typeof bytes === 'string' ? bytes : new Uint8Array(bytes);
  form.append('file', new Blob([data], { type: typeof bytes === 'string' ? 'text/plain' : '' }), filename);
  const res = await fetch(`${gateway}/api/v1/files/?process=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}
