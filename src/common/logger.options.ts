import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';

/** Header values and body fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-connector-signature"]',
  'req.headers["x-posthog-secret"]',
  'req.headers["x-crisp-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.secret',
  '*.token',
  '*.password',
  '*.authorization',
];

/** Masks credential-bearing query parameters (`?key=`, `?token=` …) in a URL. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  return url.replace(/([?&](?:key|token|secret|api_key|apikey|signature)=)[^&#]*/gi, '$1[REDACTED]');
}

export function buildLoggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      // pino-http invents an Error (with a stack) for every 5xx it logs. A deliberate 503 (readiness, a
      // full queue) is an answer, not a crash: log the status alone. Real errors keep theirs.
      customErrorObject: (_req, _res, err, val) => {
        if (err instanceof Error && /^failed with status code \d+$/.test(err.message)) {
          const { err: _synthetic, ...rest } = val as Record<string, unknown>;
          return rest;
        }
        return val;
      },
      serializers: {
        req: (req: { id?: unknown; method?: string; url?: string; remoteAddress?: string; remotePort?: number }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.remoteAddress,
        }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
    },
  };
}
