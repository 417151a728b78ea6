import { readFileSync } from 'node:fs';
import { OPENAPI_PATH, renderOpenApi } from '../scripts/openapi';

/** docs/openapi.json is committed; this fails when it no longer matches the code (run `npm run docs:openapi`). */
describe('OpenAPI document', () => {
  let doc: any;
  let text: string;
  beforeAll(async () => {
    text = await renderOpenApi();
    doc = JSON.parse(text);
  });

  it('the committed docs/openapi.json is up to date', () => {
    expect(readFileSync(OPENAPI_PATH, 'utf8')).toBe(text);
  });

  it('documents every channel, source, knowledge-base and proactive route, /metrics included', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/crisp/hooks', '/healthz', '/metrics', '/rasa/actions', '/rasa/health', '/rasa/webhook', '/readyz', '/reply/{userId}', '/v1/activity', '/v1/activity/posthog', '/v1/admin/dead-letters', '/v1/admin/dead-letters/retry', '/v1/admin/dead-letters/{id}/retry', '/v1/chat', '/v1/kb/reindex', '/v1/kb/search', '/v1/users/{userId}/context', '/v1/users/{userId}/events', '/v1/users/{userId}/proactive', '/sdk/widget.js', '/v1/browser/events', '/v1/browser/chat', '/v1/browser/events-stream',
        '/console', '/console/login', '/console/logout', '/console/sessions/stream', '/console/system', '/console/users/{userId}', '/console/users/{userId}/stream'].sort(),
    );
  });

  it('declares one security scheme per kind of credential (API keys are not labelled JWT)', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes['api-key']).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'API key' });
    expect(schemes['connector-signature']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Connector-Signature' });
    expect(schemes['posthog-secret']).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-PostHog-Secret' });
    expect(schemes['crisp-hook-key']).toMatchObject({ type: 'apiKey', in: 'query', name: 'key' });
    expect(schemes['rasa-action-token']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes['rasa-action-token-query']).toMatchObject({ type: 'apiKey', in: 'query', name: 'token' });
    expect(JSON.stringify(schemes)).not.toContain('JWT');
  });

  // The snippet is a static script, the same for everyone (and checked to hold no secret); signing in and out of the console
  // needs no session (the form posts credentials; sign-out only clears the cookie).
  const PUBLIC = ['/healthz', '/readyz', '/rasa/health', '/sdk/widget.js', '/console/login', '/console/logout'];
  it('every authenticated operation names its scheme and documents 401; chat routes document 429', () => {
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (PUBLIC.includes(path)) continue;
        expect({ route: `${method} ${path}`, security: (op.security ?? []).length > 0, has401: '401' in op.responses }).toEqual({ route: `${method} ${path}`, security: true, has401: true });
      }
    }
    expect(doc.paths['/v1/chat'].post.responses).toHaveProperty('429');
    expect(doc.paths['/reply/{userId}'].get.responses).toHaveProperty('429');
    for (const path of ['/v1/browser/events', '/v1/browser/chat']) expect(doc.paths[path].post.responses).toHaveProperty('429');
    expect(doc.paths['/v1/browser/events-stream'].get.responses).toHaveProperty('429');
  });

  it('every 4xx/5xx response has a JSON schema (the shared ErrorBody unless the protocol has its own)', () => {
    expect(doc.components.schemas.ErrorBody.required).toEqual(['statusCode', 'error', 'message']);
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (Number(status) < 400) continue;
          const schema = response.content?.['application/json']?.schema;
          expect({ at: `${method} ${path} ${status}`, schema: typeof schema }).toEqual({ at: `${method} ${path} ${status}`, schema: 'object' });
        }
      }
    }
    expect(doc.paths['/rasa/webhook'].post.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/RasaErrorDto');
  });
});
