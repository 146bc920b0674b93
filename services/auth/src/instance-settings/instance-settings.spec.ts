import { DomainError } from '@parley/errors';
import { parseConfig } from '@parley/config';
import { authConfigSchema } from '../auth.config';
import { effectiveAuthSettings, parseChanges } from './instance-settings';

const config = parseConfig(authConfigSchema, {
  WEBUI_SECRET_KEY: 'x'.repeat(32),
  CALLER_ASSERTION_SECRET: 'y'.repeat(32),
  ENABLE_SIGNUP: 'false',
  USER_PERMISSIONS_CHAT_DELETE: 'false',
});

function refusal(changes: unknown): string {
  try {
    parseChanges(typeof changes === 'string' ? changes : JSON.stringify(changes));
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('INVALID_SETTING');
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('runtime settings', () => {
  it('take the environment until an admin stores a value, then the stored one', () => {
    expect(effectiveAuthSettings(config, {})).toMatchObject({
      ENABLE_SIGNUP: false,
      DEFAULT_USER_ROLE: 'pending',
      USER_PERMISSIONS: expect.objectContaining({ 'chat.delete': false, 'chat.edit': true }),
    });
    const stored = {
      ENABLE_SIGNUP: true,
      DEFAULT_USER_ROLE: 'user',
      USER_PERMISSIONS: { 'chat.edit': false },
    };
    expect(effectiveAuthSettings(config, stored)).toMatchObject({
      ENABLE_SIGNUP: true,
      DEFAULT_USER_ROLE: 'user',
      // The stored defaults name what changed; the others keep the environment's.
      USER_PERMISSIONS: expect.objectContaining({ 'chat.delete': false, 'chat.edit': false }),
    });
  });

  it('ignore a stored value that no longer passes the checks (the environment applies)', () => {
    expect(effectiveAuthSettings(config, { DEFAULT_USER_ROLE: 'owner' }).DEFAULT_USER_ROLE).toBe('pending');
  });

  it('split a change into values to store and settings to reset (null), keeping null where it is a value', () => {
    expect(
      parseChanges(
        JSON.stringify({ ENABLE_SIGNUP: null, PENDING_USER_OVERLAY_TITLE: null, DEFAULT_MODELS: 'a' }),
      ),
    ).toEqual({ set: { PENDING_USER_OVERLAY_TITLE: null, DEFAULT_MODELS: 'a' }, reset: ['ENABLE_SIGNUP'] });
  });

  it('refuse what is not a setting, or not valid, naming the setting and the rule', () => {
    expect(refusal('nope')).toMatch(/not JSON/);
    expect(refusal([1])).toMatch(/JSON object/);
    expect(refusal({ WEBUI_SECRET_KEY: 'x' })).toMatch(/WEBUI_SECRET_KEY is not a setting.*ENABLE_SIGNUP/);
    expect(refusal({ __proto__: { x: 1 }, constructor: 1 })).toMatch(/constructor is not a setting/);
    expect(refusal({ DEFAULT_USER_ROLE: 'owner' })).toMatch(/^DEFAULT_USER_ROLE: /);
    expect(refusal({ USER_PERMISSIONS: { 'chat.fly': true } })).toMatch(/USER_PERMISSIONS.*does not exist/);
    expect(
      refusal({ BANNERS: [{ id: 'b', type: 'info', content: 'x', dismissible: 'yes', timestamp: 1 }] }),
    ).toMatch(/BANNERS \(at 0\.dismissible\)/);
    expect(refusal('x'.repeat(300 * 1024))).toMatch(/256 KiB/);
  });
});
