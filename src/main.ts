import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, configureHttpServer, createHttpAdapter } from './bootstrap';
import { appConfig, type ConfigOf } from './config/config.namespaces';
import { ConfigValidationError } from './config/env.schema';
import { ShutdownState } from './observability/shutdown.state';
import { startupReport } from './startup-report';

async function main(): Promise<void> {
  let module;
  try {
    module = AppModule.forRoot({ envFile: '.env' });
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`activity-copilot: refusing to start.\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const app = await NestFactory.create<NestExpressApplication>(module, createHttpAdapter(), APP_OPTIONS);
  configureApp(app);
  const cfg = app.get<ConfigOf<typeof appConfig>>(appConfig.KEY);
  configureHttpServer(app.getHttpServer(), cfg);
  const server = await app.listen(cfg.port, cfg.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : cfg.port;
  const logger = new Logger('Main');
  const shownHost = cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host;
  const report = startupReport(app, `http://${shownHost}:${port}`);
  logger.log(report.details, report.banner);
  for (const warning of report.warnings) logger.warn(warning);

  // SIGTERM/SIGINT: stop accepting connections, let in-flight requests and queued
  // work drain (modules' shutdown hooks), close stores, then exit 0. A second signal
  // or an overrun of SHUTDOWN_TIMEOUT_MS forces the exit.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log({ signal }, 'shutting down');
    app.get(ShutdownState).begin();
    const force = setTimeout(() => {
      logger.error({ timeoutMs: cfg.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, cfg.shutdownTimeoutMs + 5_000);
    force.unref();
    app
      .close()
      .then(() => {
        logger.log('shutdown complete');
        process.exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`activity-copilot: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
