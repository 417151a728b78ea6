import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SECURITY } from './common/openapi.decorators';

export const API_VERSION = '0.2.0';

const ERROR_BODY = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 400 },
    error: { type: 'string', example: 'Bad Request' },
    message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: 'message should not be empty' },
  },
  additionalProperties: true,
};

/**
 * The OpenAPI document: every route's own decorators, plus the security schemes and
 * one shared error schema attached to every 4xx/5xx response that names no other.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('activity-copilot')
    .setDescription("Support-chat copilot grounded in each user's live in-product activity.")
    .setVersion(API_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'One of API_KEYS' }, SECURITY.apiKey)
    .addApiKey({ type: 'apiKey', in: 'query', name: 'token', description: 'One of API_KEYS as ?token= (routes that allow it, for clients that cannot set headers)' }, SECURITY.apiKeyQuery)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'token', description: 'RASA_ACTION_TOKEN as an Authorization header' }, SECURITY.rasaToken)
    .addApiKey({ type: 'apiKey', in: 'query', name: 'token', description: 'RASA_ACTION_TOKEN as ?token= (Rasa endpoint configs with `token:`)' }, SECURITY.rasaTokenQuery)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Connector-Signature', description: 'sha256=<hex HMAC-SHA256 of the raw body with CONNECTOR_WEBHOOK_SECRET>' }, SECURITY.connectorSignature)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-PostHog-Secret', description: 'POSTHOG_WEBHOOK_SECRET, or sha256=<hex HMAC-SHA256 of the raw body>' }, SECURITY.posthogSecret)
    .addApiKey({ type: 'apiKey', in: 'query', name: 'key', description: 'CRISP_WEBHOOK_SECRET, as put in the hook URL' }, SECURITY.crispKey)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'token', description: 'METRICS_TOKEN' }, SECURITY.metricsToken)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-User-Id', description: 'The product user id the user token was minted for' }, SECURITY.browserUserId)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-User-Token', description: 'hex HMAC-SHA256(USER_TOKEN_SECRET, user id), minted by your backend' }, SECURITY.browserUserToken)
    .addApiKey({ type: 'apiKey', in: 'query', name: 'userId', description: 'The user id, for the event stream (EventSource cannot set headers)' }, SECURITY.browserStreamUserId)
    .addApiKey({ type: 'apiKey', in: 'query', name: 'token', description: 'The user token, for the event stream (masked in logs)' }, SECURITY.browserStreamToken)
    .addApiKey({ type: 'apiKey', in: 'cookie', name: 'ac_console', description: 'The operator console session, set by POST /console/login (CONSOLE_USERS or CONSOLE_TOKEN)' }, SECURITY.consoleSession)
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  doc.components = { ...doc.components, schemas: { ...(doc.components?.schemas ?? {}), ErrorBody: ERROR_BODY } };
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item) as Array<{ responses?: Record<string, { content?: unknown; description?: string }> }>) {
      for (const [status, response] of Object.entries(op?.responses ?? {})) {
        if (Number(status) >= 400 && !response.content) response.content = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
      }
    }
  }
  return doc;
}

/** Serves the document at /docs (UI) and /docs/openapi.json. */
export function mountOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });
}
