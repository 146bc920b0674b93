import { env, sensitive } from './env-schema';
import { ConfigValidationError, parseConfig, redactConfig } from './load-config';
import { z } from 'zod';

const schema = z.object({
  PORT: env.port(8080),
  DATABASE_URL: sensitive(env.url(['postgres', 'postgresql'])),
  ENABLE_SIGNUP: env.bool(true),
  WEBUI_SECRET_KEY: sensitive(env.string()),
});

describe('parseConfig', () => {
  const good = { DATABASE_URL: 'postgresql://u:p@h/db', WEBUI_SECRET_KEY: 's3cret' };

  it('applies defaults and types values', () => {
    expect(parseConfig(schema, { ...good, ENABLE_SIGNUP: 'false' })).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgresql://u:p@h/db',
      ENABLE_SIGNUP: false,
      WEBUI_SECRET_KEY: 's3cret',
    });
  });

  it('names every bad variable and what it expects, without echoing secrets', () => {
    let caught: ConfigValidationError | undefined;
    try {
      parseConfig(schema, { PORT: '99999', DATABASE_URL: 'mysql://x:hunter2@h/db', ENABLE_SIGNUP: 'maybe' });
    } catch (e) {
      caught = e as ConfigValidationError;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const text = caught!.message;
    expect(text).toContain('PORT must be a TCP port between 1 and 65535 (got "99999")');
    expect(text).toContain(
      'DATABASE_URL must be a URL starting with postgres:// or postgresql:// (got (hidden))',
    );
    expect(text).toContain('ENABLE_SIGNUP must be true or false');
    expect(text).toContain('WEBUI_SECRET_KEY is required');
    expect(text).not.toContain('hunter2');
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig(schema, { ...good, PORT: '' }).PORT).toBe(8080);
  });

  it('redacts sensitive values for logging', () => {
    const config = parseConfig(schema, good);
    expect(redactConfig(schema, config)).toMatchObject({
      DATABASE_URL: '(hidden)',
      WEBUI_SECRET_KEY: '(hidden)',
      PORT: 8080,
    });
  });
});

describe('env.urlList', () => {
  const nats = z.object({ NATS_URL: env.urlList(['nats', 'tls'], 'nats://127.0.0.1:4222') });

  it('takes one URL, several separated by commas, or the default', () => {
    expect(parseConfig(nats, {}).NATS_URL).toBe('nats://127.0.0.1:4222');
    const cluster = 'nats://nats-0.nats:4222, nats://nats-1.nats:4222,tls://nats-2.nats:4222';
    expect(parseConfig(nats, { NATS_URL: cluster }).NATS_URL).toBe(cluster);
  });

  it('refuses a list with one bad entry and says what it expects', () => {
    expect(() => parseConfig(nats, { NATS_URL: 'nats://a:4222,,nats://b:4222' })).toThrow(
      /NATS_URL must be a URL starting with nats:\/\/ or tls:\/\/, or several separated by commas/,
    );
    expect(() => parseConfig(nats, { NATS_URL: 'nats://a:4222,http://b' })).toThrow(ConfigValidationError);
  });
});
