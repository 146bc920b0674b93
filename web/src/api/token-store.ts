/** Where Open WebUI keeps the bearer token, so existing habits and scripts carry over. */
export const TOKEN_STORAGE_KEY = 'token';

/**
 * Holds the bearer token in memory and mirrors it to localStorage so a reload
 * stays signed in. Storage can throw (private mode, quota, disabled): the
 * in-memory copy keeps working then.
 */
export class TokenStore {
  private token: string | null;

  constructor(private readonly storage: Storage | undefined = safeLocalStorage()) {
    this.token = readStorage(this.storage);
  }

  get(): string | null {
    return this.token;
  }

  set(token: string | null): void {
    this.token = token;
    try {
      if (token === null) this.storage?.removeItem(TOKEN_STORAGE_KEY);
      else this.storage?.setItem(TOKEN_STORAGE_KEY, token);
    } catch {
      // Memory still holds it; nothing else to do.
    }
  }
}

function safeLocalStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

function readStorage(storage: Storage | undefined): string | null {
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
