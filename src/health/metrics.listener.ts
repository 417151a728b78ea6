import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { bearerToken, safeEqual } from '../common/secrets';
import { appConfig, type ConfigOf } from '../config/config.namespaces';
import { MetricsService } from '../observability/metrics.service';

/**
 * METRICS_PORT: Prometheus metrics on their own listener (bound to METRICS_HOST,
 * 127.0.0.1 by default), so the public port never serves them. METRICS_TOKEN, when
 * set, is required here too.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsListener.name);
  private server?: Server;

  constructor(
    @Inject(appConfig.KEY) private readonly app: ConfigOf<typeof appConfig>,
    private readonly metrics: MetricsService,
  ) {}

  /** The bound address, once listening. */
  get address(): { host: string; port: number } | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host, token } = this.app.metrics;
    if (port === undefined) return;
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'Only GET /metrics is served here' }));
        return;
      }
      if (token && !safeEqual(bearerToken(req.headers.authorization), token)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Missing or invalid metrics token' }));
        return;
      }
      this.metrics
        .render()
        .then((text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text))
        .catch(() => res.writeHead(500).end());
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.logger.log({ host, port: this.address?.port }, 'metrics listening on their own port');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
