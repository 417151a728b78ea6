import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cors from 'cors';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { toErrorBody } from './common/http-exception.filter';
import { appConfig, type ConfigOf } from './config/config.namespaces';
import { InvalidBodyHooks } from './observability/invalid-body.hooks';
import { MetricsService } from './observability/metrics.service';
import { mountOpenApi } from './openapi';

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

  // Every body is read as JSON whatever its content type (webhook senders are not all careful with it);
  // any JSON value parses, and each route says what shape it needs.
  express.useBodyParser('json', { limit: cfg.bodyLimitBytes, type: () => true, strict: false });
  // Body-parser failures happen before routing; answer them in the same JSON shape.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const body = toErrorBody(err);
    if ((err as { type?: string }).type === 'entity.parse.failed') invalidBodies.report(req.path, 'invalid_json');
    res.status(body.statusCode).json(body);
  });

  if (cfg.docsEnabled) mountOpenApi(app);
}
