import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PARLEY_VERSION } from './version';

describe('PARLEY_VERSION', () => {
  it('is the version in the root package.json (a release bumps both)', () => {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(PARLEY_VERSION).toBe(pkg.version);
  });
});
