import { DomainError, ErrorKind } from '@parley/errors';

export type ConnectionKind = 'openai' | 'ollama';

/** An upstream LLM server as the rest of the service sees it: key decrypted, in memory only. */
export interface Connection {
  id: string;
  kind: ConnectionKind;
  /** Without a trailing slash. OpenAI base URLs include their `/v1`. */
  baseUrl: string;
  apiKey: string;
  prefixId: string;
  enabled: boolean;
  modelIds: string[];
  /** Open WebUI's per-connection tags: every model of the connection carries them. */
  tags: string[];
  /** Open WebUI's connection_type. */
  connectionType: ConnectionType;
  /** Open WebUI's urlIdx: the order within its kind. */
  position: number;
  updatedAt: number;
}

export type ConnectionType = 'external' | 'local';

export interface ConnectionInput {
  baseUrl: string;
  apiKey: string;
  enabled: boolean;
  prefixId: string;
  modelIds: string[];
  tags: string[];
  /** Unset: the kind's default (Ollama local, OpenAI external), as Open WebUI. */
  connectionType?: ConnectionType;
}

/** Open WebUI's env form: `;`-separated URLs, keys paired by position (missing keys are empty). */
export function connectionsFromEnv(urls: string, keys: string): ConnectionInput[] {
  const baseUrls = splitList(urls);
  const apiKeys = keys.split(';').map((k) => k.trim());
  return baseUrls.map((baseUrl, i) => ({
    baseUrl: normaliseBaseUrl(baseUrl),
    apiKey: apiKeys[i] ?? '',
    enabled: true,
    prefixId: '',
    modelIds: [],
    tags: [],
  }));
}

function splitList(value: string): string[] {
  return value
    .split(';')
    .map((v) => v.trim())
    .filter(Boolean);
}

export function normaliseBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new DomainError(ErrorKind.InvalidArgument, `"${value}" is not a URL; use http://host:port/...`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError(ErrorKind.InvalidArgument, `"${value}" must start with http:// or https://`);
  }
  return url.toString().replace(/\/+$/, '');
}
