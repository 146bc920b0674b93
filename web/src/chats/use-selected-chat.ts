import { useCallback, useSyncExternalStore } from 'react';

// Screen switching without a router: the selected chat lives in the hash,
// `#/c/<id>` (Open WebUI's `/c/<id>`), so reload, back/forward and links work.
const PREFIX = '#/c/';

export function chatHref(id: string): string {
  return PREFIX + encodeURIComponent(id);
}

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function readSelectedId(): string | null {
  const { hash } = window.location;
  if (!hash.startsWith(PREFIX)) return null;
  try {
    const id = decodeURIComponent(hash.slice(PREFIX.length));
    return id === '' ? null : id;
  } catch {
    return null;
  }
}

export function useSelectedChatId(): [string | null, (id: string | null) => void] {
  const id = useSyncExternalStore(subscribe, readSelectedId, () => null);
  const select = useCallback((next: string | null) => {
    window.location.hash = next === null ? '' : chatHref(next).slice(1);
  }, []);
  return [id, select];
}
