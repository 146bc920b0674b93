import {
  describeUnsafeInput,
  describeUnsafeString,
  findUnsafeInput,
  toSafeErrorText,
  toSafeText,
} from './unsafe-input';

describe('unsafe input', () => {
  it('finds NUL characters and lone surrogates and names where they are', () => {
    expect(describeUnsafeString('fine ✓ 😀')).toBeUndefined();
    expect(describeUnsafeString('a\u0000b')).toMatch(/NUL/);
    expect(describeUnsafeString('x\ud800y')).toMatch(/lone UTF-16 surrogate/);
    expect(describeUnsafeString('\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(describeUnsafeString('end\ud83d')).toMatch(/lone/);
    expect(describeUnsafeInput({ messages: [{ content: 'ok' }, { content: 'a\u0000' }] })).toBe(
      'body.messages.1.content contains a NUL character (\\u0000), which is not allowed in text',
    );
    expect(describeUnsafeInput({ ['k\ud800']: 1 })).toMatch(/^a key in body contains a lone/);
  });

  it('gives the path and the problem apart, for a field violation', () => {
    expect(findUnsafeInput({ a: [{ b: 'x\u0000' }] }, { root: 'request' })).toEqual({
      path: 'request.a.0.b',
      problem: expect.stringMatching(/^contains a NUL/),
    });
    expect(findUnsafeInput({ a: { ['k\udc00']: 1 } })).toEqual({
      path: 'body.a',
      problem: expect.stringMatching(/^contains a lone/),
      inKey: true,
    });
    expect(findUnsafeInput({ a: 'fine' })).toBeUndefined();
  });

  it('refuses nesting past the limit without using the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(describeUnsafeInput(deep)).toMatch(/nested deeper than the limit of 64 levels/);
    let ok: unknown = 'leaf';
    for (let i = 0; i < 63; i++) ok = { a: ok };
    expect(describeUnsafeInput(ok)).toBeUndefined();
    expect(describeUnsafeInput({ a: { a: 1 } }, { maxDepth: 1 })).toBe(
      'body.a is nested deeper than the limit of 1 levels',
    );
  });

  it('makes any text safe for a status message and bounds its length', () => {
    expect(toSafeText('Model not found: x\ud800y')).toBe('Model not found: x\uFFFDy');
    expect(toSafeText('a\u0000')).toBe('a\uFFFD');
    const long = toSafeText('😀'.repeat(2000), 101);
    expect(long.length).toBeLessThanOrEqual(101);
    expect(describeUnsafeString(long)).toBeUndefined();
    expect(() => encodeURIComponent(long)).not.toThrow();
  });
});

describe('toSafeErrorText', () => {
  it('hides credentials and keeps the rest', () => {
    const text = toSafeErrorText(
      'upstream said 401 for Bearer abcdefgh12345 with sk-abcdefghijklmnop at /v1?api_key=zzz&x=1 \ud800',
    );
    expect(text).toBe(
      'upstream said 401 for Bearer [redacted] with [redacted] at /v1?api_key=[redacted]&x=1 \uFFFD',
    );
  });
});
