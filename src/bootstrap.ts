import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import { toErrorBody, AllExceptionsFilter } from './common/http-exception.filter';
import { RAW_BODY_PATHS } from './common/json-body';
import type { RawBodyRequest } from './common/raw-body';
import { appConfig, type ConfigOf } from './config/config.namespaces';
import { MetricsService } from './observability/metrics.service';

/**
 * Everything main.ts and the end-to-end tests share: body parsing with a size cap
 * (webhook routes keep the raw bytes for signature checks), JSON errors, HTTP
 * metrics, OpenAPI at /docs and the pino logger. Signals are handled in main.ts.
 * The app must be created with `{ bodyParser: false, bufferLogs: true }`.
 */
export function configureApp(app: INestApplication): void {
  const cfg = app.get<ConfigOf<typeof appConfig>>(appConfig.KEY);
  const metrics = app.get(MetricsService);
  app.useLogger(app.get(Logger));

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

  const limit = cfg.bodyLimitBytes;
  const keepRaw = (req: RawBodyRequest, _res: unknown, buf: Buffer) => {
    req.rawBody = buf;
  };
  app.use(RAW_BODY_PATHS, express.raw({ type: () => true, limit, verify: keepRaw }));
  app.use(express.json({ type: () => true, limit, verify: keepRaw }));
  // Body-parser failures happen before routing; answer them in the same JSON shape.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    const body = toErrorBody(err);
    res.status(body.statusCode).json(body);
  });

  app.useGlobalFilters(new AllExceptionsFilter());

  const doc = new DocumentBuilder()
    .setTitle('activity-copilot')
    .setDescription('Support-chat copilot grounded in each user\'s live in-product activity.')
    .setVersion('0.1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc), { jsonDocumentUrl: 'docs/openapi.json' });
}
