import { normalizeOrigin, parseOriginPolicy, policyAllows } from './origin-policy';

describe('CORS_ALLOW_ORIGIN policy', () => {
  it('normalises origins to scheme + host + port', () => {
    expect(normalizeOrigin('HTTPS://Chat.Example.com:443/')).toBe('https://chat.example.com');
    expect(normalizeOrigin('http://a.example:8080')).toBe('http://a.example:8080');
    expect(normalizeOrigin('null')).toBeUndefined();
    expect(normalizeOrigin('file:///x')).toBeUndefined();
    expect(normalizeOrigin('not a url')).toBeUndefined();
  });

  it('parses a ;-separated list as Open WebUI does, ignoring trailing slashes and blanks, and * as any', () => {
    const policy = parseOriginPolicy(' https://A.example/ ; ;http://b.example:81');
    expect(policy.any).toBe(false);
    expect([...policy.origins]).toEqual(['https://a.example', 'http://b.example:81']);
    expect(parseOriginPolicy('https://a.example;*').any).toBe(true);
  });

  it('allows what it lists, in any spelling, and nothing else', () => {
    const policy = parseOriginPolicy('https://a.example');
    expect(policyAllows(policy, 'https://A.example:443/')).toBe(true);
    expect(policyAllows(policy, 'https://b.example')).toBe(false);
    expect(policyAllows(policy, 'null')).toBe(false);
    expect(policyAllows(parseOriginPolicy('*'), 'https://anything.example')).toBe(true);
  });
});
