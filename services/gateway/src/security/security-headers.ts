import type { NextFunction, Request, Response } from 'express';

/**
 * The SPA's Content-Security-Policy: scripts only from this origin (the pre-paint theme snippet is the
 * external /theme-init.js, so no inline script is needed), no framing, no plugins. Styles allow inline
 * because the Markdown highlighter and React set style attributes; scripts never do.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const API_PREFIXES = ['/api/', '/openai/', '/ollama/', '/oauth/'];

/**
 * Headers on every gateway answer. HSTS only when the request itself came over https (directly or, with
 * TRUST_PROXY, through a trusted proxy's X-Forwarded-Proto): sending it over plain http means nothing and
 * would pin a local install to https by mistake. API answers default to no-store (they carry a user's
 * data); a handler that wants caching sets its own Cache-Control.
 */
export function securityHeaders() {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    const path = req.path;
    if (API_PREFIXES.some((prefix) => path.startsWith(prefix))) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
