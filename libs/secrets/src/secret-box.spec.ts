import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sut = new SecretBox('a long install secret', 'signing-keys');
    const sealed = sut.seal('{"d":"private"}');
    expect(sealed).not.toContain('private');
    expect(sut.open(sealed)).toBe('{"d":"private"}');
  });

  it('refuses to open with another secret or for another purpose, and detects tampering', () => {
    const sealed = new SecretBox('secret one is long', 'signing-keys').seal('payload');
    expect(() => new SecretBox('secret two is long', 'signing-keys').open(sealed)).toThrow();
    expect(() => new SecretBox('secret one is long', 'upstream-keys').open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => new SecretBox('secret one is long', 'signing-keys').open(parts.join('.'))).toThrow();
  });
});
