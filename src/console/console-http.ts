import type { Request, Response } from 'express';

/**
 * What every console answer carries: no caching, no framing, no inline script or style
 * (user data is rendered as escaped text, and the CSP is a second line behind that).
 */
export function setConsoleHeaders(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
}

/**
 * A POST from a page of this origin, or from no browser at all. SameSite=Strict already
 * keeps the cookie off cross-site requests; this also refuses a cross-origin login
 * (login CSRF) and anything a browser marks as cross-site.
 */
export function isSameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
