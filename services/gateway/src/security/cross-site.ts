import type { NextFunction, Request, Response } from 'express';
import { normalizeOrigin, parseOriginPolicy, policyAllows, tokenFromCookie } from '@parley/auth-guard';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery guard: a state-changing request that a browser authenticated with the
 * session cookie must come from this gateway's own origin or one in CORS_ALLOW_ORIGIN. The browser says
 * where a request comes from in Origin (sent on every cross-origin and same-origin POST/PUT/PATCH/DELETE
 * by current browsers) and in Sec-Fetch-Site, which a page cannot forge. Bearer tokens and API keys are
 * not sent automatically by a browser, so they are not affected; neither is a cookie request with
 * neither header (not a browser: a script that copied its cookie).
 */
export function crossSiteGuard(corsAllowOrigin: string) {
  const allowed = parseOriginPolicy(corsAllowOrigin);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!STATE_CHANGING.has(req.method)) return next();
    if (req.headers.authorization) return next();
    if (tokenFromCookie(req.headers.cookie) === undefined) return next();
    const origin = req.headers.origin;
    const fetchSite = req.headers['sec-fetch-site'];
    if (origin === undefined && fetchSite === undefined) return next();
    if (origin !== undefined && origin !== 'null') {
      const own = normalizeOrigin(`${req.protocol}://${req.get('host') ?? ''}`);
      if ((own !== undefined && normalizeOrigin(origin) === own) || policyAllows(allowed, origin))
        return next();
    } else if (origin === undefined && (fetchSite === 'same-origin' || fetchSite === 'none')) {
      return next();
    }
    res.status(403).json({
      detail:
        'Cross-site request refused: a request signed in with the session cookie must come from this site ' +
        '(Origin not allowed; add it to CORS_ALLOW_ORIGIN, or send an Authorization header).',
      code: 'CROSS_SITE_REQUEST',
    });
  };
}
