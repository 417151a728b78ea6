import type { INestApplication } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, configureApp, configureHttpServer, createHttpAdapter } from '../../src/bootstrap';
import { appConfig } from '../../src/config/config.namespaces';

/** Defaults for every test app: quiet, memory store, offline LLM, no external services. */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  STORE: 'memory',
  LLM_PROVIDER: 'offline',
};

/**
 * TEST_DRIVERS=redis runs every end-to-end suite on STORE=redis and QUEUE=bullmq (real
 * Redis at TEST_REDIS_URL or 127.0.0.1:6379), each app under its own key prefix.
 */
function driverEnv(): Record<string, string> {
  if (process.env.TEST_DRIVERS !== 'redis') return {};
  return {
    STORE: 'redis',
    QUEUE: 'bullmq',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `t:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`,
  };
}

export interface TestApp {
  app: INestApplication;
  server: Server;
  /** Base URL when listening (listen: true). */
  url?: string;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule with the given env over the same bootstrap as main.ts.
 * `override` may swap providers (e.g. LLM_PROVIDER) through the testing module builder.
 */
export async function bootTestApp(
  opts: { env?: Record<string, string>; override?: (b: TestingModuleBuilder) => TestingModuleBuilder; listen?: boolean } = {},
): Promise<TestApp> {
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot({ env: { ...TEST_ENV, ...driverEnv(), ...(opts.env ?? {}) } })] });
  if (opts.override) builder = opts.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>(createHttpAdapter(), { ...APP_OPTIONS, logger: false });
  configureApp(app);
  let url: string | undefined;
  if (opts.listen) {
    configureHttpServer(app.getHttpServer() as Server, app.get(appConfig.KEY));
    await app.listen(0, '127.0.0.1');
    const addr = (app.getHttpServer() as Server).address() as AddressInfo;
    url = `http://127.0.0.1:${addr.port}`;
  } else {
    await app.init();
  }
  return { app, server: app.getHttpServer() as Server, url, close: () => app.close() };
}
