import { parseOriginPolicy } from '@parley/auth-guard';
import { describeRefusedOrigin } from './socket-origin';

describe('socket origin policy', () => {
  const sameOnly = parseOriginPolicy('');

  it('lets a handshake without an Origin through (not a browser)', () => {
    expect(describeRefusedOrigin({ host: 'chat.example' }, sameOnly)).toBeUndefined();
  });

  it('accepts the origin whose host is the Host or X-Forwarded-Host addressed', () => {
    expect(
      describeRefusedOrigin({ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }, sameOnly),
    ).toBeUndefined();
    expect(
      describeRefusedOrigin({ origin: 'https://chat.example', host: 'chat.example:443' }, sameOnly),
    ).toBeUndefined();
    expect(
      describeRefusedOrigin(
        { origin: 'https://chat.example', host: 'gateway:8080', 'x-forwarded-host': 'chat.example, inner' },
        sameOnly,
      ),
    ).toBeUndefined();
  });

  it('refuses a foreign origin with a message naming it and the variable', () => {
    expect(describeRefusedOrigin({ origin: 'https://evil.example', host: 'chat.example' }, sameOnly)).toMatch(
      /^Origin https:\/\/evil\.example may not open a socket here: set CORS_ALLOW_ORIGIN/,
    );
    expect(
      describeRefusedOrigin({ origin: 'http://chat.example:81', host: 'chat.example' }, sameOnly),
    ).toBeDefined();
    expect(describeRefusedOrigin({ origin: 'null', host: 'chat.example' }, sameOnly)).toBeDefined();
  });

  it('accepts a listed origin, and any origin with *', () => {
    const listed = parseOriginPolicy('https://evil.example/');
    expect(
      describeRefusedOrigin({ origin: 'https://evil.example', host: 'chat.example' }, listed),
    ).toBeUndefined();
    expect(
      describeRefusedOrigin({ origin: 'https://other.example', host: 'chat.example' }, listed),
    ).toBeDefined();
    expect(
      describeRefusedOrigin(
        { origin: 'https://other.example', host: 'chat.example' },
        parseOriginPolicy('*'),
      ),
    ).toBeUndefined();
  });
});
