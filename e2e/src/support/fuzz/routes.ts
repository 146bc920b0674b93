import { ServiceProcess } from '@parley/testing';

export interface MappedRoute {
  path: string;
  method: string;
}

/**
 * Every route the gateway maps, read from Nest's RouterExplorer lines in the running gateway's own JSON
 * log ("Mapped {/api/v1/chats/:id, GET} route"), so a new controller route is fuzzed without anyone
 * listing it.
 */
export function discoverRoutes(gateway: ServiceProcess): MappedRoute[] {
  const routes = new Map<string, MappedRoute>();
  for (const line of gateway.logs().split('\n')) {
    if (!line.includes('RouterExplorer')) continue;
    let msg: unknown;
    try {
      msg = (JSON.parse(line) as { msg?: unknown }).msg;
    } catch {
      continue;
    }
    const match = typeof msg === 'string' ? /^Mapped \{(.+), ([A-Z]+)\} route$/.exec(msg) : null;
    if (!match) continue;
    const route = { path: match[1]!, method: match[2]! };
    routes.set(`${route.method} ${route.path}`, route);
  }
  return [...routes.values()].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/** The parameter names of a Nest route pattern: `:id`, and `*path` for a wildcard. */
export function routeParams(path: string): string[] {
  return [...path.matchAll(/[:*]([A-Za-z_]+)/g)].map((m) => m[1]!);
}

/** Fills a route pattern with already-encoded path segments. */
export function fillRoute(path: string, values: Record<string, string>): string {
  return path.replace(/[:*]([A-Za-z_]+)/g, (_, name: string) => values[name] ?? 'x');
}
