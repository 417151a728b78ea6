import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { cp, mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureApp } from '../../src/bootstrap';
import { buildLoggerParams } from '../../src/common/logger.options';
import { ALL_NAMESPACES } from '../../src/config/config.namespaces';
import { loadEnv } from '../../src/config/load-env';
import { ObservabilityModule } from '../../src/observability/observability.module';
import { KbModule, type KbModuleExtras } from '../../src/kb/kb.module';
import type { KbOptions } from '../../src/kb/kb.options';
import type { KbCurrentPage, KbPageContextProvider } from '../../src/kb/kb-page-context';
import type { TestApp } from './test-app';

/** The example help center shipped in examples/kb. */
export const KB_EXAMPLES = join(__dirname, '..', '..', 'examples', 'kb');

/** A private copy of examples/kb, so a test can add, break or delete files. */
export async function copyOfKbExamples(prefix = 'kb-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(KB_EXAMPLES, dir, { recursive: true });
  return dir;
}

/** Where each test user is: a tiny real KB_PAGE_CONTEXT implementation backed by a map. */
export class MapPageContext implements KbPageContextProvider {
  constructor(private readonly pages: Record<string, KbCurrentPage> = {}) {}

  set(userId: string, page: KbCurrentPage): void {
    this.pages[userId] = page;
  }

  async currentPage(userId: string): Promise<KbCurrentPage | undefined> {
    return this.pages[userId];
  }
}

/**
 * A minimal app around KbModule: validated config (for ApiKeyGuard), silent logger,
 * metrics and health registry, and the same bootstrap as main.ts (body limits, JSON
 * errors). The real AppModule wiring is separate; this keeps the KB tests independent of it.
 */
export async function bootKbApp(opts: { kb: KbOptions; apiKeys?: string; extras?: KbModuleExtras; listen?: boolean }): Promise<TestApp> {
  const env = loadEnv({ env: { NODE_ENV: 'test', LOG_LEVEL: 'silent', API_KEYS: opts.apiKeys ?? '' } });
  @Module({
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, ignoreEnvVars: true, load: ALL_NAMESPACES.map((n) => n.register(env)) }),
      LoggerModule.forRoot(buildLoggerParams(env.LOG_LEVEL)),
      ObservabilityModule,
      KbModule.register(opts.kb, opts.extras),
    ],
  })
  class KbTestAppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [KbTestAppModule] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true, logger: false });
  configureApp(app);
  let url: string | undefined;
  if (opts.listen) {
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  } else {
    await app.init();
  }
  return { app, server: app.getHttpServer() as Server, url, close: () => app.close() };
}
