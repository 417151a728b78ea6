import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { Logger } from 'nestjs-pino';
import { bodyProblem } from './common/body-hygiene';
import { bodyLimitFor, SHUTTING_DOWN, tooLarge } from './common/body-limits';
import { HotRouteRegistry } from './common/hot-routes';
import { requestIdFor } from './common/request-id';
import { toErrorBody, type ErrorBody } from './common/http-exception.filter';
import { appConfig, browserConfig, storeConfig, type ConfigOf } from './config/config.namespaces';
import { browserCors } from './browser/browser-cors';
import { InvalidBodyHooks } from './observability/invalid-body.hooks';
import { FastLane } from './http-lane/fast-lane';
import { HttpMetrics } from './observability/http-metrics';
import { ShutdownState } from './observability/shutdown.state';
import { mountOpenApi } from './openapi';

/**
 * Node checks request and header timeouts of incomplete requests only every
 * `connectionsCheckingInterval` (30 s by default), so a slow client could hold a socket
 * long past HEADERS_TIMEOUT_MS. The HTTP server is created here with a 1 s check, and
 * its request handler offers each request to the fast lane (src/http-lane) before Express.
 */
class TimelyExpressAdapter extends ExpressAdapter {
  private lane?: FastLane;

  setFastLane(lane: FastLane): void {
    this.lane = lane;
  }

  override initHttpServer(options: Parameters<ExpressAdapter['initHttpServer']>[0]): void {
    if (options?.httpsOptions) return super.initHttpServer(options);
    const express = this.getInstance<(req: IncomingMessage, res: ServerResponse) => void>();
    this.httpServer = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
      if (!this.lane?.take(req, res)) express(req, res);
    });
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
  const httpMetrics = app.get(HttpMetrics);
  const invalidBodies = app.get(InvalidBodyHooks);
  app.useLogger(app.get(Logger));
  // Nothing about the stack is advertised, and no ETag work is done for JSON answers nobody caches.
  express.disable('x-powered-by');
  express.set('etag', false);
  // The REST API is server-to-server: no CORS unless CORS_ORIGINS names the browser origins allowed.
  if (cfg.corsOrigins.length > 0) {
    express.use(['/v1/chat', '/v1/users', '/reply'], cors({ origin: cfg.corsOrigins, methods: ['GET', 'POST'], allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'], maxAge: 600 }));
  }
  // The browser snippet's endpoints have their own list: the pages that embed it, not API clients.
  const browser = app.get<ConfigOf<typeof browserConfig>>(browserConfig.KEY);
  if (browser.enabled) express.use('/v1/browser', browserCors(browser.allowedOrigins));

  // ROLE=worker runs jobs and the stream; it answers nothing but its probes and metrics.
  const store = app.get<ConfigOf<typeof storeConfig>>(storeConfig.KEY);
  if (store.role === 'worker') {
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (WORKER_PATHS.has(req.path) && (req.method === 'GET' || req.method === 'HEAD')) return next();
      sendError(res, { statusCode: 404, error: 'Not Found', message: 'This replica runs ROLE=worker: it serves only /healthz, /readyz and /metrics' });
    });
  }
  // One middleware for what every Express request needs before its body is read: its id, its metric on
  // finish, 503 from the first shutdown signal (health probes still answer), and a declared
  // length over the route's cap refused before a byte is read.
  const shutdown = app.get(ShutdownState);
  app.use((req: Request & { id?: string }, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    // The id is set here, before the body parser, so its refusals carry one too (pino-http reuses it).
    req.id = requestIdFor(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    res.on('finish', () => httpMetrics.observe(req.method, routeLabel(req), res.statusCode, start));
    if (shutdown.shuttingDown && req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Retry-After', '5');
      res.setHeader('Connection', 'close');
      return sendError(res, SHUTTING_DOWN);
    }
    const declared = Number(req.headers['content-length']);
    if (declared > bodyLimitFor(cfg, req.path)) return sendError(res, tooLarge(bodyLimitFor(cfg, req.path)));
    next();
  });
  // Every body is read as JSON whatever its content type (webhook senders are not all careful with it);
  // any JSON value parses, and each route says what shape it needs.
  express.useBodyParser('json', { limit: cfg.bodyLimitBytes, type: () => true, strict: false });
  // Then what any route must never see: a body over its route's cap (sent without a length), hostile nesting,
  // ill-formed strings, `__proto__` keys. Cheap, linear, before validation or any work.
  app.use((req: Request & { rawBody?: Buffer }, res: Response, next: NextFunction) => {
    if (req.rawBody && req.rawBody.length > bodyLimitFor(cfg, req.path)) return sendError(res, tooLarge(bodyLimitFor(cfg, req.path)));
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
  if (store.role !== 'worker') installFastLane(app, cfg);
}

const WORKER_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** FAST_LANE: the hot routes registered in HotRouteRegistry are served ahead of Express (see src/http-lane). */
function installFastLane(app: INestApplication, cfg: ConfigOf<typeof appConfig>): void {
  const adapter = app.getHttpAdapter();
  if (!cfg.fastLane || !(adapter instanceof TimelyExpressAdapter)) return;
  adapter.setFastLane(
    new FastLane({
      routes: () => app.get(HotRouteRegistry).list(),
      cfg,
      metrics: app.get(HttpMetrics),
      invalidBodies: app.get(InvalidBodyHooks),
      shutdown: app.get(ShutdownState),
      logger: () => PinoLogger.root,
    }),
  );
}

/** The matched route's pattern (bounded: never the raw URL), or "unmatched". */
function routeLabel(req: Request): string {
  const path = req.route?.path as string | undefined;
  if (!path) return 'unmatched';
  return req.baseUrl ? req.baseUrl + path : path;
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
