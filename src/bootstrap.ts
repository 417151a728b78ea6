import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import { createServer, type Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import { bodyProblem } from './common/body-hygiene';
import { toErrorBody, type ErrorBody } from './common/http-exception.filter';
import { appConfig, type ConfigOf } from './config/config.namespaces';
import { InvalidBodyHooks } from './observability/invalid-body.hooks';
import { MetricsService } from './observability/metrics.service';
import { ShutdownState } from './observability/shutdown.state';
import { mountOpenApi } from './openapi';

/**
 * Node checks request and header timeouts of incomplete requests only every
 * `connectionsCheckingInterval` (30 s by default), so a slow client could hold a socket
 * long past HEADERS_TIMEOUT_MS. The HTTP server is created here with a 1 s check.
 */
class TimelyExpressAdapter extends ExpressAdapter {
  override initHttpServer(options: Parameters<ExpressAdapter['initHttpServer']>[0]): void {
    if (options?.httpsOptions) return super.initHttpServer(options);
    this.httpServer = createServer({ connectionsCheckingInterval: 1_000 }, this.getInstance());
  }
}

/** The HTTP adapter every app instance is created with (main.ts and the end-to-end tests). */
export const createHttpAdapter = (): ExpressAdapter => new TimelyExpressAdapter();

/** Options every app instance is created with (main.ts and the end-to-end tests). */
export const APP_OPTIONS = { rawBody: true, bodyParser: false, bufferLogs: true } as const;

/**
 * Everything main.ts and the end-to-end tests share: the JSON body parser with a size
 * cap (Nest keeps the raw bytes in `req.rawBody` for signature checks), JSON errors for
 * bodies that do not parse, HTTP metrics, OpenAPI at /docs (DOCS_ENABLED), CORS for the REST
 * API (CORS_ORIGINS) and the pino logger. The
 * global filter and pipe are APP_FILTER / APP_PIPE providers; signals are handled in
 * main.ts. The app must be created with APP_OPTIONS.
 */
export function configureApp(app: INestApplication): void {
  const express = app as NestExpressApplication;
  const cfg = app.get<ConfigOf<typeof appConfig>>(appConfig.KEY);
  const metrics = app.get(MetricsService);
  const invalidBodies = app.get(InvalidBodyHooks);
  app.useLogger(app.get(Logger));
  // Nothing about the stack is advertised, and no ETag work is done for JSON answers nobody caches.
  express.disable('x-powered-by');
  express.set('etag', false);
  // The REST API is server-to-server: no CORS unless CORS_ORIGINS names the browser origins allowed.
  if (cfg.corsOrigins.length > 0) {
    express.use(['/v1/chat', '/v1/users', '/reply'], cors({ origin: cfg.corsOrigins, methods: ['GET', 'POST'], allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'], maxAge: 600 }));
  }

  const httpDuration = metrics.histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      httpDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    next();
  });

  // From the first shutdown signal, new work is refused so senders redeliver; health probes still answer.
  const shutdown = app.get(ShutdownState);
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!shutdown.shuttingDown || req.method === 'GET' || req.method === 'HEAD') return next();
    res.setHeader('Retry-After', '5');
    res.setHeader('Connection', 'close');
    sendError(res, { statusCode: 503, error: 'Service Unavailable', message: 'The service is shutting down; retry shortly' });
  });
  // Routes that need little get little: a declared length over the route's cap is refused before a byte is read.
  const routeLimits = new Map<string, number>([
    ['/v1/chat', cfg.chatBodyLimitBytes],
    ['/crisp/hooks', cfg.hookBodyLimitBytes],
  ]);
  const limitFor = (path: string) => routeLimits.get(path) ?? cfg.bodyLimitBytes;
  app.use((req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitFor(req.path)) return sendError(res, tooLarge(limitFor(req.path)));
    next();
  });
  // Every body is read as JSON whatever its content type (webhook senders are not all careful with it);
  // any JSON value parses, and each route says what shape it needs.
  express.useBodyParser('json', { limit: cfg.bodyLimitBytes, type: () => true, strict: false });
  // Then what any route must never see: a body over its route's cap (sent without a length), hostile nesting,
  // ill-formed strings, `__proto__` keys. Cheap, linear, before validation or any work.
  app.use((req: Request & { rawBody?: Buffer }, res: Response, next: NextFunction) => {
    if (req.rawBody && req.rawBody.length > limitFor(req.path)) return sendError(res, tooLarge(limitFor(req.path)));
    if (req.rawBody && req.rawBody.length > 0) {
      const problem = bodyProblem(req.body);
      if (problem) {
        invalidBodies.report(req.path, 'invalid_body');
        return sendError(res, { statusCode: 400, error: 'Bad Request', message: problem });
      }
    }
    next();
  });
  // Body-parser failures happen before routing; answer them in the same JSON shape.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const body = toErrorBody(err);
    if ((err as { type?: string }).type === 'entity.parse.failed') invalidBodies.report(req.path, 'invalid_json');
    sendError(res, body);
  });

  if (cfg.docsEnabled) mountOpenApi(app);
}

/**
 * Slow clients cannot hold the process: a request must arrive in full within
 * REQUEST_TIMEOUT_MS and its headers within HEADERS_TIMEOUT_MS (Node allows 300 s and
 * 60 s), and at most MAX_CONNECTIONS sockets are open at once. Keep-alive outlives
 * typical load-balancer idle timeouts, so the LB never reuses a socket we just closed.
 */
export function configureHttpServer(server: Server, cfg: ConfigOf<typeof appConfig>): void {
  server.requestTimeout = cfg.requestTimeoutMs;
  server.headersTimeout = Math.min(cfg.headersTimeoutMs, cfg.requestTimeoutMs);
  server.maxConnections = cfg.maxConnections;
  server.keepAliveTimeout = 65_000;
}

function sendError(res: Response, body: ErrorBody): void {
  res.status(body.statusCode).json(body);
}

function tooLarge(limit: number): ErrorBody {
  return { statusCode: 413, error: 'Payload Too Large', message: `Request body is larger than this route accepts (${limit} bytes)` };
}
