import { useSyncExternalStore } from 'react';

// A shared chat has a real path, `/s/<share_id>` (Open WebUI's link), which the gateway answers with
// index.html. Everything else in the app lives in the hash.
const PREFIX = '/s/';

export function sharedIdFromPath(pathname: string): string | null {
  if (!pathname.startsWith(PREFIX)) return null;
  try {
    const id = decodeURIComponent(pathname.slice(PREFIX.length).replace(/\/+$/, ''));
    return id === '' || id.includes('/') ? null : id;
  } catch {
    return null;
  }
}

export function shareUrl(shareId: string): string {
  return `${window.location.origin}${PREFIX}${encodeURIComponent(shareId)}`;
}

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
}

const readPath = () => window.location.pathname;

/** The share id in the address bar, or null on any other page. */
export function useSharedChatId(): string | null {
  return sharedIdFromPath(useSyncExternalStore(subscribe, readPath, () => '/'));
}

/** Leaves the shared page for the app itself at `hash` (e.g. `#/c/<id>`), without a reload. */
export function leaveSharedPage(hash = '') {
  window.history.pushState(null, '', `/${hash}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}
