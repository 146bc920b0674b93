import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from './load-config';
import { openWebUiEnvironment, unsupportedOpenWebUiVariables } from './open-webui-env';

function dirWithDotEnv(content?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-dotenv-'));
  if (content !== undefined) writeFileSync(join(dir, '.env'), content);
  return dir;
}

describe('openWebUiEnvironment', () => {
  it('reads the working directory’s .env for what the environment does not set', () => {
    const dir = dirWithDotEnv('ENABLE_SIGNUP=false\nWEBUI_NAME="Acme Chat"\n# a comment\nLOG_LEVEL=debug\n');
    const env = openWebUiEnvironment({ LOG_LEVEL: 'warn' }, dir);
    expect(env.ENABLE_SIGNUP).toBe('false');
    expect(env.WEBUI_NAME).toBe('Acme Chat');
    expect(env.LOG_LEVEL).toBe('warn'); // the real environment wins
  });

  it('works without a .env', () => {
    expect(openWebUiEnvironment({ A: '1' }, dirWithDotEnv())).toEqual({ A: '1' });
  });

  it('composes DATABASE_URL from Open WebUI’s parts, escaping what a URL cannot hold', () => {
    const env = openWebUiEnvironment(
      {
        DATABASE_TYPE: 'postgresql',
        DATABASE_USER: 'chat',
        DATABASE_PASSWORD: 'p@ss:w/rd',
        DATABASE_HOST: 'db.internal',
        DATABASE_PORT: '6543',
        DATABASE_NAME: 'openwebui',
      },
      dirWithDotEnv(),
    );
    expect(env.DATABASE_URL).toBe('postgresql://chat:p%40ss%3Aw%2Frd@db.internal:6543/openwebui');
    expect(new URL(env.DATABASE_URL!).password).toBe('p%40ss%3Aw%2Frd');
  });

  it('keeps an explicit DATABASE_URL over the parts', () => {
    const env = openWebUiEnvironment(
      { DATABASE_URL: 'postgresql://a@b/c', DATABASE_HOST: 'x' },
      dirWithDotEnv(),
    );
    expect(env.DATABASE_URL).toBe('postgresql://a@b/c');
  });

  it('stops on SQLite with a reason and what to do', () => {
    for (const env of [
      { DATABASE_TYPE: 'sqlite' },
      { DATABASE_URL: 'sqlite:///app/backend/data/webui.db' },
    ]) {
      expect(() => openWebUiEnvironment(env, dirWithDotEnv())).toThrow(ConfigValidationError);
      expect(() => openWebUiEnvironment(env, dirWithDotEnv())).toThrow(/PostgreSQL only.*several copies/);
    }
  });
});

describe('unsupportedOpenWebUiVariables', () => {
  it('names each unsupported variable that is set, with what to use instead', () => {
    const warnings = unsupportedOpenWebUiVariables({
      CHROMA_HTTP_HOST: 'chroma.internal',
      ENABLE_WEB_SEARCH: '',
      ENABLE_SIGNUP: 'true',
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^CHROMA_HTTP_HOST is an Open WebUI setting Parley does not honour: .*pgvector/),
    ]);
  });
});
