import { useSyncExternalStore } from 'react';

// Settings and admin live in the hash like the selected chat does (`#/c/<id>`):
// `#/settings`, `#/workspace/knowledge[/<id>]`, `#/admin/users`, `#/admin/groups`, `#/admin/connections`, `#/admin/presets`, `#/admin/usage`.
export const ADMIN_TABS = ['users', 'groups', 'connections', 'presets', 'usage', 'documents'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export type AppRoute =
  | { screen: 'main' }
  | { screen: 'settings' }
  | { screen: 'admin'; tab: AdminTab }
  /** `#/workspace/knowledge` (the list) or `#/workspace/knowledge/<id>` (one base). */
  | { screen: 'knowledge'; id: string | null };

export const SETTINGS_HREF = '#/settings';
export const CHATS_HREF = '#/';

export const KNOWLEDGE_HREF = '#/workspace/knowledge';

export function knowledgeHref(id?: string): string {
  return id ? `${KNOWLEDGE_HREF}/${encodeURIComponent(id)}` : KNOWLEDGE_HREF;
}

export function adminHref(tab: AdminTab = 'users'): string {
  return `#/admin/${tab}`;
}

export function parseRoute(hash: string): AppRoute {
  if (hash === SETTINGS_HREF || hash.startsWith(`${SETTINGS_HREF}/`)) return { screen: 'settings' };
  const admin = /^#\/admin(?:\/([a-z]+))?\/?$/.exec(hash);
  if (admin) {
    const tab = ADMIN_TABS.find((name) => name === admin[1]) ?? 'users';
    return { screen: 'admin', tab };
  }
  const knowledge = /^#\/workspace\/knowledge(?:\/([^/]+))?\/?$/.exec(hash);
  if (knowledge) return { screen: 'knowledge', id: knowledge[1] ? safeDecode(knowledge[1]) : null };
  return { screen: 'main' };
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

// Strings compare by value, so the snapshot is stable between hash changes.
const readHash = () => window.location.hash;

export function useAppRoute(): AppRoute {
  return parseRoute(useSyncExternalStore(subscribe, readHash, () => ''));
}
