import { RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';
import { requestIdFor } from './request-id';
import { isRecord } from './text';

/** Field names whose values never reach a log line, at the top of a log object or one level down. */
const SECRET_FIELDS = ['apiKey', 'secret', 'token', 'password', 'authorization'] as const;
const CENSOR = '[REDACTED]';

/**
 * Paths pino's own redaction censors: the keys that have serializers (their serialized form
 * is what is written, and only pino sees it) and the request/response headers. Everything
 * else is censored by redactSecretFields: pino's `*.field` wildcards cost ~12 µs on every line.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-connector-signature"]',
  'req.headers["x-posthog-secret"]',
  'req.headers["x-crisp-signature"]',
  'req.headers["x-api-key"]',
  'req.headers["x-user-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.map((f) => `err.${f}`),
];

/** Keys pino serializes itself (redacted by REDACTED_PATHS, after serialization). */
const SERIALIZED_KEYS = new Set(['req', 'res', 'err']);

/**
 * pino `formatters.log`: a copy of the log object with every SECRET_FIELDS value, at the top
 * level or in an object one level down, censored; the object itself when it holds none
 * (the usual line: no copy). The caller's objects are never changed.
 */
export function redactSecretFields(obj: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (isSecretField(key)) {
      if (value !== undefined) (out ??= { ...obj })[key] = CENSOR;
      continue;
    }
    if (SERIALIZED_KEYS.has(key) || !isRecord(value)) continue;
    let inner: Record<string, unknown> | undefined;
    for (const field of SECRET_FIELDS) {
      if (Object.prototype.hasOwnProperty.call(value, field) && value[field] !== undefined) (inner ??= { ...value })[field] = CENSOR;
    }
    if (inner) (out ??= { ...obj })[key] = inner;
  }
  return out ?? obj;
}

function isSecretField(key: string): boolean {
  return (SECRET_FIELDS as readonly string[]).includes(key);
}


/** Query parameters that can carry a credential, by name (after decoding, case-insensitive). */
const SECRET_PARAMS = new Set(['key', 'token', 'secret', 'api_key', 'apikey', 'access_token', 'user_token', 'usertoken', 'signature', 'password', 'auth']);

/**
 * The URL with the value of every credential-bearing query parameter masked. Names are
 * matched after decoding, the way Express reads them, so `?%6Bey=…` is masked like
 * `?key=…`; the query is rebuilt from what was parsed, never passed through as sent.
 */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  try {
    const params = new URLSearchParams(url.slice(q + 1).split('#')[0]);
    const parts: string[] = [];
    for (const [name, value] of params) {
      const masked = SECRET_PARAMS.has(name.trim().toLowerCase()) ? '[REDACTED]' : encodeURIComponent(value);
      parts.push(`${encodeURIComponent(name)}=${masked}`);
    }
    return parts.length ? `${path}?${parts.join('&')}` : path;
  } catch {
    // Anything we cannot re-encode is not logged at all.
    return `${path}?[REDACTED]`;
  }
}

/** Receives every log call at error level and above (the console's recent-errors list); see RecentErrors. */
export interface ErrorLogSink {
  record(args: unknown[], level: number): void;
}

/** Most log output held in memory while stdout is slower than the logging (see buildLoggerParams). */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

export function buildLoggerParams(level: string, errors?: ErrorLogSink): Params {
  return {

    // Probes and scrapes come every few seconds and were never logged: no per-request logger for them at all.
    exclude: [
      { method: RequestMethod.GET, path: 'healthz' },
      { method: RequestMethod.GET, path: 'readyz' },
      { method: RequestMethod.GET, path: 'metrics' },
    ],
    // [options, destination]: lines go to stdout through an asynchronous sonic-boom, so a line
    // is a buffer append and the writes happen off the request path, batched when lines come
    // faster than they are written (pino's default, one write(2) per line on the event loop,
    // was ~1/6 of what a reply cost). pino flushes what is buffered when the process exits,
    // crashes included; only a SIGKILL can lose the last lines. A reader of stdout that stalls
    // costs at most LOG_BUFFER_BYTES of memory; lines past it are dropped, not queued.
    pinoHttp: [
      {
        level,
        ...(errors
          ? {
              hooks: {
                logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, lvl: number) {
                  if (lvl >= 50) errors.record(args, lvl);
                  method.apply(this, args);
                },
              },
            }
          : {}),
        redact: { paths: REDACTED_PATHS, censor: CENSOR },
        formatters: { log: redactSecretFields },
        // The bootstrap middleware has usually set it already (before the body parser); reuse it.
        genReqId: (req: IncomingMessage & { id?: unknown }, res: ServerResponse) => {
          if (typeof req.id === 'string') return req.id;
          const id = requestIdFor(req.headers['x-request-id']);
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
      pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES }),
    ],
  };
}
