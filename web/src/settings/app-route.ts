import { useSyncExternalStore } from 'react';

// Settings and admin live in the hash like the selected chat does (`#/c/<id>`):
// `#/settings`, `#/admin/users`, `#/admin/groups`, `#/admin/connections`, `#/admin/presets`, `#/admin/usage`.
export const ADMIN_TABS = ['users', 'groups', 'connections', 'presets', 'usage'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export type AppRoute = { screen: 'main' } | { screen: 'settings' } | { screen: 'admin'; tab: AdminTab };

export const SETTINGS_HREF = '#/settings';
export const CHATS_HREF = '#/';

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
  return { screen: 'main' };
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
