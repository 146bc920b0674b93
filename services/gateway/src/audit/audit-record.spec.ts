import { bodyForLog, excludedPathMatcher, isAudited, redact, REDACTED } from './audit-record';

describe('audit records', () => {
  it('audits state-changing requests and sign-ins, not reads or excluded paths', () => {
    const excluded = excludedPathMatcher('/chats, folders/');
    expect(isAudited('DELETE', '/api/v1/users/u1', excluded)).toBe(true);
    expect(isAudited('GET', '/api/v1/users/u1', excluded)).toBe(false);
    expect(isAudited('POST', '/api/v1/chats/new', excluded)).toBe(false);
    expect(isAudited('DELETE', '/api/v1/folders/f1', excluded)).toBe(false);
    expect(isAudited('POST', '/api/v1/chatsx', excluded)).toBe(true);
    expect(isAudited('POST', '/api/v1/auths/signin', excludedPathMatcher('/auths'))).toBe(true);
    expect(isAudited('DELETE', '/api/v1/chats/c1', excludedPathMatcher(''))).toBe(true);
  });

  it('redacts secrets by key name at any depth', () => {
    expect(
      redact({
        email: 'a@b.c',
        password: 'hunter2',
        nested: [{ api_key: 'sk-1', OPENAI_API_KEYS: ['x'], name: 'n' }],
        Authorization: 'Bearer t',
        new_password: 'p',
        token: 't',
        client_secret: 's',
      }),
    ).toEqual({
      email: 'a@b.c',
      password: REDACTED,
      nested: [{ api_key: REDACTED, OPENAI_API_KEYS: REDACTED, name: 'n' }],
      Authorization: REDACTED,
      new_password: REDACTED,
      token: REDACTED,
      client_secret: REDACTED,
    });
  });

  it('cuts bodies to the size limit and redacts JSON text bodies', () => {
    expect(bodyForLog({ text: 'x'.repeat(100) }, 20)).toHaveLength(21);
    expect(bodyForLog('{"token":"abc","id":"1"}', 100)).toBe(`{"token":"${REDACTED}","id":"1"}`);
    expect(bodyForLog(undefined, 10)).toBeUndefined();
  });
});
