import { DomainError } from '@parley/errors';
import { connectionsFromEnv, normaliseBaseUrl } from './connection';
import { SecretBox } from '@parley/secrets';
import { isMasked, maskKey } from './key-masking';

describe('connections from env (Open WebUI form)', () => {
  it('pairs URLs and keys by position, `;`-separated, missing keys empty', () => {
    const sut = connectionsFromEnv('https://api.openai.com/v1; http://127.0.0.1:4000/v1/ ;', 'sk-one');
    expect(sut.map((c) => [c.baseUrl, c.apiKey])).toEqual([
      ['https://api.openai.com/v1', 'sk-one'],
      ['http://127.0.0.1:4000/v1', ''],
    ]);
  });

  it('rejects what is not an http(s) URL with a message that names it', () => {
    expect(() => normaliseBaseUrl('ftp://x')).toThrow(DomainError);
    expect(() => normaliseBaseUrl('not a url')).toThrow('"not a url" is not a URL');
  });
});

describe('upstream keys at rest', () => {
  it('seals and opens with the same secret, and a different secret cannot open', () => {
    const sut = new SecretBox('a-secret-of-enough-length', 'purpose');
    const sealed = sut.seal('sk-live-123456789');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('sk-live');
    expect(sut.open(sealed)).toBe('sk-live-123456789');
    expect(() => new SecretBox('another-secret-of-length', 'purpose').open(sealed)).toThrow();
  });

  it('masks keys so an admin recognises them but cannot use them', () => {
    expect(maskKey('sk-live-123456789')).toBe('sk-…6789');
    expect(maskKey('short')).toBe('****');
    expect(maskKey('')).toBe('');
    expect(isMasked(maskKey('sk-live-123456789'))).toBe(true);
    expect(isMasked('sk-live-123456789')).toBe(false);
  });
});
