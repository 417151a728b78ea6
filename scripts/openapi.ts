import { Test } from '@nestjs/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp, createHttpAdapter } from '../src/bootstrap';
import { buildOpenApiDocument } from '../src/openapi';

/**
 * docs/openapi.json: the OpenAPI document of a build with every channel and source
 * enabled, and the knowledge base (`npm run docs:openapi`). A spec regenerates it and fails when the committed
 * file is stale.
 */
export const OPENAPI_PATH = join(__dirname, '..', 'docs', 'openapi.json');

export const EVERYTHING_ENABLED: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  LLM_PROVIDER: 'offline',
  CHANNELS: 'rest,rasa,crisp',
  SOURCES: 'push,posthog,stream',
  STREAM_URL: 'http://127.0.0.1:9/stream/product',
  UNKEY_API_KEY: 'unkey',
  CRISP_WEBSITE_ID: 'website',
  CRISP_TOKEN_IDENTIFIER: 'identifier',
  CRISP_TOKEN_KEY: 'key',
  CRISP_WEBHOOK_SECRET: 'hook',
  // The knowledge-base routes exist only with a folder; nothing is indexed, the app is never started.
  KB_DIR: join(__dirname, '..', 'examples', 'kb'),
  KB_WATCH: 'false',
  PROACTIVE: 'on',
  USER_TOKEN_SECRET: 'user-token-secret',
};

export async function renderOpenApi(): Promise<string> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ env: EVERYTHING_ENABLED })] }).compile();
  const app = moduleRef.createNestApplication(createHttpAdapter(), { ...APP_OPTIONS, logger: false });
  configureApp(app);
  // Documented without starting anything (no stream connection, no listeners).
  const doc = buildOpenApiDocument(app);
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (require.main === module) {
  renderOpenApi()
    .then((text) => {
      writeFileSync(OPENAPI_PATH, text);
      process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    });
}
