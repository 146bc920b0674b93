import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@parley/testing';

/**
 * Every event name the realtime service handles, read from its @SubscribeMessage decorators in the
 * source, so a new handler is fuzzed without being listed.
 */
export function discoverSocketEvents(): string[] {
  const events = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.includes('.spec.')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/@SubscribeMessage\(\s*['"`]([^'"`]+)['"`]/g))
          events.add(match[1]!);
      }
    }
  };
  walk(join(repoRoot(), 'services', 'realtime', 'src'));
  return [...events].sort();
}
