import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { repoRoot } from '@parley/testing';

/** Strings that have broken parsers, databases or status lines before (issue 11), and their relatives. */
export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\udc00\ud800',
  '\ufffd',
  '\ufeff',
  '\u202e',
  'e\u0301',
  '\u00e9',
  '\ufb01',
  '\u212a',
  '\u1e9b\u0323',
  '..',
  '../',
  '../../../etc/passwd',
  '..\\..\\',
  '%2e%2e',
  '%2E%2E%2f',
  '.%2e',
  '%00',
  '%ud800',
  '%',
  '%zz',
  '@evil.example',
  'http://127.0.0.1:1/',
  '//evil.example',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:x}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  ' ',
  '',
  '-1',
  '1e309',
  'NaN',
  '9'.repeat(400),
  'a'.repeat(10_000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.string({ maxLength: 8 }),
        fc.constantFrom(...HOSTILE_STRINGS.slice(0, 14)),
        fc.string({ maxLength: 8 }),
      )
      .map((parts) => parts.join('')),
  },
);

/**
 * A path segment or query value as bytes on the wire: percent-encoded, with lone surrogates written as
 * the (invalid) UTF-8 of the surrogate; or, for strings that are already URL-shaped (`%2e%2e`), raw.
 */
export function encodeComponent(value: string, raw = false): string {
  if (raw && /^[\x21-\x7e]*$/.test(value) && !value.includes('?') && !value.includes('#')) return value;
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

export const hostileSegment: fc.Arbitrary<string> = fc
  .tuple(hostileString, fc.boolean())
  .map(([value, raw]) => encodeComponent(value, raw));

/** JSON values of the wrong shape for any route. */
export const wrongTypeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, [], {}, '', [null], [[]], { length: -1 }),
  fc.double(),
  hostileString,
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);

/** Field names the gateway's request schemas use; a hostile value under each. */
export const COMMON_FIELDS = [
  'id',
  'title',
  'content',
  'name',
  'email',
  'password',
  'new_password',
  'model',
  'model_id',
  'messages',
  'chat',
  'chats',
  'meta',
  'tags',
  'tag_name',
  'folder_id',
  'parent_id',
  'parentId',
  'role',
  'profile_image_url',
  'ui',
  'params',
  'base_model_id',
  'access_control',
  'description',
  'permissions',
  'user_ids',
  'is_expanded',
  'rating',
  'stream',
  'prompt',
  'history',
  'limit',
  'requests_per_minute',
  'tokens_per_day',
  'OPENAI_API_BASE_URLS',
  'OLLAMA_BASE_URLS',
  'url',
  'key',
];

/**
 * The field names the services' request schemas accept (`name: z.string()` in their source), so a field
 * added to a schema gets hostile values without being listed here.
 */
export function schemaFieldNames(): string[] {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !/\.(spec|config)\.ts$/.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(/^\s+['"]?([A-Za-z_]+)['"]?: z\./gm))
          names.add(match[1]!);
      }
    }
  };
  const services = join(repoRoot(), 'services');
  for (const service of readdirSync(services)) walk(join(services, service, 'src'));
  return [...names].sort();
}

export const FIELD_NAMES = [...new Set([...COMMON_FIELDS, ...schemaFieldNames()])];

export const hostileObject: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(
  fc.constantFrom(...FIELD_NAMES),
  fc.oneof(hostileString, wrongTypeValue, fc.dictionary(fc.constantFrom(...FIELD_NAMES), hostileString)),
  { minKeys: 1, maxKeys: 6 },
);

/** A request body as the raw text sent. */
export const hostileBody: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  wrongTypeValue.map((v) => JSON.stringify(v)),
  hostileObject.map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{',
    '[1,',
    '{"a":"\\u0000"}',
    '{"title":"\\ud800"}',
    '"\\udfff"',
    '{"__proto__":{"admin":true}}',
    'nul\u0000l',
  ),
);

export const hostileQuery: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'page',
        'q',
        'text',
        'id',
        'limit',
        'skip',
        'order_by',
        'direction',
        'query',
        'archived',
        'pinned',
        'x',
      ),
      hostileSegment,
    ),
    { maxLength: 3 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

export function deepJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

export function deepObject(depth: number): string {
  return '{"title":'.repeat(depth) + '"x"' + '}'.repeat(depth);
}
