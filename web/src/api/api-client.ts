import { ApiError, extractCode, extractDetail } from './api-error';
import { TokenStore } from './token-store';

type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Prefix for every path; '' means same origin as the page. */
  baseUrl?: string;
  tokens?: TokenStore;
  /** Injected in tests; defaults to the global fetch, looked up per call. */
  fetch?: FetchFn;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
}

export interface UploadOptions {
  /** Called with the share of the body sent so far, 0 to 1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

type UnauthorizedListener = (path: string) => void;

/**
 * The one place the SPA talks HTTP to the gateway: JSON in and out, the
 * session cookie (`credentials: 'include'`) and the bearer token on every call,
 * and every non-2xx turned into an ApiError carrying the server's `detail`.
 */
export class ApiClient {
  readonly tokens: TokenStore;
  private readonly baseUrl: string;
  private readonly fetchFn: FetchFn | undefined;
  private readonly unauthorizedListeners = new Set<UnauthorizedListener>();

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.tokens = options.tokens ?? new TokenStore();
    this.fetchFn = options.fetch;
  }

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  /**
   * A multipart POST that reports upload progress. fetch cannot tell how much of a request body has
   * gone out, so this one call uses XMLHttpRequest, with the same credentials and error shape.
   */
  upload<T>(path: string, form: FormData, options: UploadOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', this.baseUrl + path);
      xhr.withCredentials = true;
      xhr.setRequestHeader('Accept', 'application/json');
      const token = this.tokens.get();
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      if (options.onProgress) {
        const report = options.onProgress;
        xhr.upload.addEventListener('progress', (event) => {
          if (event.lengthComputable && event.total > 0) report(event.loaded / event.total);
        });
      }
      xhr.addEventListener('load', () => {
        const body = parseJson(xhr.responseText);
        if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
        if (xhr.status === 401) this.unauthorizedListeners.forEach((listener) => listener(path));
        reject(new ApiError(xhr.status, extractDetail(body), extractCode(body)));
      });
      xhr.addEventListener('error', () => reject(new ApiError(0, null)));
      xhr.addEventListener('abort', () => reject(new DOMException('Upload aborted', 'AbortError')));
      if (options.signal) {
        if (options.signal.aborted) return xhr.abort();
        options.signal.addEventListener('abort', () => xhr.abort(), { once: true });
      }
      xhr.send(form);
    });
  }

  /** Told about every 401, so the session can end when a token expires mid-use. */
  onUnauthorized(listener: UnauthorizedListener): () => void {
    this.unauthorizedListeners.add(listener);
    return () => this.unauthorizedListeners.delete(listener);
  }

  /** A GET whose answer headers matter too (a list's X-Page-Size). */
  async getWithHeaders<T>(path: string, options?: RequestOptions): Promise<{ body: T; headers: Headers }> {
    const { body, headers } = await this.send('GET', path, options);
    return { body: body as T, headers };
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send(method, path, options)).body as T;
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ body: unknown; headers: Headers }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.tokens.get();
    if (token) headers['Authorization'] = `Bearer ${token}`;
    const init: RequestInit = { method, headers, credentials: 'include' };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal) init.signal = options.signal;

    const fetchFn =
      this.fetchFn ?? ((input: string, reqInit: RequestInit) => globalThis.fetch(input, reqInit));
    let response: Response;
    try {
      response = await fetchFn(this.baseUrl + path, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, null);
    }

    const body = await readJson(response);
    if (!response.ok) {
      if (response.status === 401) this.unauthorizedListeners.forEach((listener) => listener(path));
      throw new ApiError(response.status, extractDetail(body), extractCode(body));
    }
    return { body, headers: response.headers };
  }
}

async function readJson(response: Response): Promise<unknown> {
  return parseJson(await response.text().catch(() => ''));
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
