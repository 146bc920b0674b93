import fc from 'fast-check';
import { checkUpstreamPath } from './upstream-path';

/** Every way a byte of `..` can be written in a URL: plain, %2e, %2E, and once more percent-encoded. */
const dot = fc.constantFrom('.', '%2e', '%2E', '%252e', '%252E');
const dotDot = fc.tuple(dot, dot).map(([a, b]) => a + b);
const slash = fc.constantFrom('/', '%2f', '%2F', '%252f');
const segment = fc.constantFrom('models', 'chat', 'completions', 'api', 'tags', 'stats', 'v1', 'x');

describe('checkUpstreamPath', () => {
  it('forwards the upstream API paths Open WebUI proxies', () => {
    expect(checkUpstreamPath('openai', 'chat/completions')).toEqual({ ok: true, path: 'chat/completions' });
    expect(checkUpstreamPath('openai', 'models/gpt-4o')).toEqual({ ok: true, path: 'models/gpt-4o' });
    expect(checkUpstreamPath('ollama', 'api/tags')).toEqual({ ok: true, path: 'api/tags' });
  });

  it('answers 404 for paths outside the allow-list', () => {
    expect(checkUpstreamPath('openai', 'stats')).toMatchObject({ ok: false, status: 404 });
    expect(checkUpstreamPath('ollama', 'api/secret')).toMatchObject({ ok: false, status: 404 });
  });

  it.each([
    '%2e%2e/stats',
    '.%2e/stats',
    '%2E%2E/stats',
    '..%2fstats',
    '%252e%252e/stats',
    'models/../../stats',
    'http://evil.example/v1/models',
    '//evil.example/models',
    'models@evil.example',
    'models%40evil.example',
    '..\\stats',
    'models%5c..%5cstats',
    'models%00',
    '%25252525252e',
    '%zz',
  ])('refuses %s with 400 and a detail', (raw) => {
    const result = checkUpstreamPath('openai', raw);
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(result.ok ? '' : result.detail).not.toBe('');
  });

  it('refuses any path with a .. segment in any encoding, wherever it sits', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { maxLength: 3 }),
        dotDot,
        fc.array(segment, { maxLength: 3 }),
        fc.array(slash, { minLength: 8, maxLength: 8 }),
        fc.constantFrom<'openai' | 'ollama'>('openai', 'ollama'),
        (before, up, after, slashes, prefix) => {
          const parts = [...before, up, ...after];
          const raw = parts.map((part, i) => (i === 0 ? part : slashes[i % slashes.length] + part)).join('');
          const result = checkUpstreamPath(prefix, raw);
          expect(result).toMatchObject({ ok: false, status: 400 });
        },
      ),
    );
  });
});
