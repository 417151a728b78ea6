import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './bootstrap';
import { appConfig, type ConfigOf } from './config/config.namespaces';
import { ConfigValidationError } from './config/env.schema';

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
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, bufferLogs: true });
  configureApp(app);
  const cfg = app.get<ConfigOf<typeof appConfig>>(appConfig.KEY);
  const server = await app.listen(cfg.port, cfg.host);
  // Drain in-flight requests on shutdown; idle keep-alive sockets are closed by Node.
  server.keepAliveTimeout = 65_000;
}

main().catch((err: unknown) => {
  process.stderr.write(`activity-copilot: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
