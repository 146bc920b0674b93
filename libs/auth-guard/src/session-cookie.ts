import { env, z } from '@parley/config';

/** Open WebUI's session cookie settings, read by every service that sets the `token` cookie. */
export function sessionCookieEnv() {
  return {
    /** lax (default), strict, or none (cross-site embedding; the cookie is then always Secure). */
    WEBUI_SESSION_COOKIE_SAME_SITE: env.oneOf(['lax', 'strict', 'none'], 'lax'),
    /** true: the cookie travels over HTTPS only; unset: Secure whenever the request came over HTTPS. */
    WEBUI_SESSION_COOKIE_SECURE: env.optionalBool(),
  };
}

export interface SessionCookieConfig {
  WEBUI_SESSION_COOKIE_SAME_SITE: 'lax' | 'strict' | 'none';
  WEBUI_SESSION_COOKIE_SECURE?: boolean;
}

/** The `token` cookie's options: httpOnly, for the whole site, until the token expires. */
export function sessionCookieOptions(
  config: SessionCookieConfig,
  { overHttps, expiresAtSeconds }: { overHttps: boolean; expiresAtSeconds: number },
) {
  const sameSite = config.WEBUI_SESSION_COOKIE_SAME_SITE;
  return {
    httpOnly: true,
    sameSite,
    // Browsers drop a SameSite=None cookie that is not Secure.
    secure: sameSite === 'none' || (config.WEBUI_SESSION_COOKIE_SECURE ?? overHttps),
    path: '/',
    expires: new Date(expiresAtSeconds * 1000),
  } as const;
}

export type SessionCookieEnv = z.infer<z.ZodObject<ReturnType<typeof sessionCookieEnv>>>;
