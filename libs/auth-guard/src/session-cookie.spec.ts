import { sessionCookieOptions } from './session-cookie';

describe('sessionCookieOptions (WEBUI_SESSION_COOKIE_*)', () => {
  const at = { expiresAtSeconds: 2_000_000_000 };

  it('is Lax and Secure exactly when the request came over HTTPS, by default', () => {
    const config = { WEBUI_SESSION_COOKIE_SAME_SITE: 'lax' as const };
    expect(sessionCookieOptions(config, { ...at, overHttps: true })).toMatchObject({
      sameSite: 'lax',
      secure: true,
      httpOnly: true,
    });
    expect(sessionCookieOptions(config, { ...at, overHttps: false }).secure).toBe(false);
  });

  it('follows WEBUI_SESSION_COOKIE_SECURE when it is set', () => {
    const on = { WEBUI_SESSION_COOKIE_SAME_SITE: 'strict' as const, WEBUI_SESSION_COOKIE_SECURE: true };
    expect(sessionCookieOptions(on, { ...at, overHttps: false })).toMatchObject({
      sameSite: 'strict',
      secure: true,
    });
    const off = { WEBUI_SESSION_COOKIE_SAME_SITE: 'lax' as const, WEBUI_SESSION_COOKIE_SECURE: false };
    expect(sessionCookieOptions(off, { ...at, overHttps: true }).secure).toBe(false);
  });

  it('keeps SameSite=None cookies Secure, as browsers require', () => {
    const none = { WEBUI_SESSION_COOKIE_SAME_SITE: 'none' as const, WEBUI_SESSION_COOKIE_SECURE: false };
    expect(sessionCookieOptions(none, { ...at, overHttps: false }).secure).toBe(true);
  });
});
