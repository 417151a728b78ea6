import cors from 'cors';
import type { RequestHandler } from 'express';
import { USER_ID_HEADER, USER_TOKEN_HEADER } from './browser.constants';

/**
 * CORS for /v1/browser/*: only the origins in BROWSER_ALLOWED_ORIGINS get CORS headers
 * (preflights answered 204 here, before any guard or body parser). Any other origin gets
 * none at all, so the browser refuses to hand the response to the page; a preflight from
 * it falls through to the router and gets no Access-Control-* header either.
 */
export function browserCors(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  const options: cors.CorsOptions = {
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'X-Request-Id', 'Last-Event-ID', USER_ID_HEADER, USER_TOKEN_HEADER],
    credentials: false,
    maxAge: 600,
  };
  return cors((req, callback) => {
    const origin = req.headers.origin;
    callback(null, typeof origin === 'string' && allowed.has(origin) ? { ...options, origin } : { origin: false });
  });
}
