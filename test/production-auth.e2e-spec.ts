import { join } from 'node:path';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { ConfigValidationError } from '../src/config/env.schema';
import { bootTestApp, type TestApp } from './support/test-app';

/**
 * Production is closed by default: whatever CHANNELS and SOURCES enable, every mounted
 * route answers 401 without credentials, except the few that are public by design.
 * The route list is read from the running app, so a new route that forgets its guard
 * fails here.
 */
// The snippet is a static script, the same for everyone (browser-endpoints.e2e-spec checks it holds no secret).
const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'GET /rasa/health', 'GET /sdk/widget.js']);

const SECRETS = {
  NODE_ENV: 'production',
  API_KEYS: 'prod-key',
  CONNECTOR_WEBHOOK_SECRET: 'connector-secret',
  POSTHOG_WEBHOOK_SECRET: 'posthog-secret',
  RASA_ACTION_TOKEN: 'rasa-token',
  CRISP_WEBSITE_ID: 'w',
  CRISP_TOKEN_IDENTIFIER: 'i',
  CRISP_TOKEN_KEY: 'k',
  CRISP_WEBHOOK_SECRET: 'hook-key',
  CRISP_API_URL: 'http://127.0.0.1:9',
  STREAM_URL: 'http://127.0.0.1:9/stream/p',
  UNKEY_API_KEY: 'unkey',
  STREAM_CONNECT_TIMEOUT_MS: '100',
  // The knowledge base on, so its routes (/v1/kb/search, /v1/kb/reindex) are checked in every combination.
  KB_DIR: join(__dirname, '..', 'examples', 'kb'),
  KB_WATCH: 'false',
  // The proactive engine (its decision log, the REST event stream) and the browser endpoints on, so their routes are checked too.
  PROACTIVE: 'on',
  USER_TOKEN_SECRET: 'user-token-secret',
  BROWSER_ALLOWED_ORIGINS: 'https://app.example.com',
};

const subsets = <T>(items: readonly T[]): T[][] => items.reduce<T[][]>((acc, x) => [...acc, ...acc.map((s) => [...s, x])], [[]]).filter((s) => s.length > 0);

/** Every route the app mounted, from Express's own router (not from what we think we mounted). */
function mountedRoutes(t: TestApp): Array<{ method: string; path: string }> {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  const routes: Array<{ method: string; path: string }> = [];
  for (const layer of express.router.stack) {
    if (!layer.route || layer.route.path.includes('*')) continue;
    for (const method of Object.keys(layer.route.methods)) routes.push({ method: method.toUpperCase(), path: layer.route.path });
  }
  return routes;
}

describe('production: every route that returns user data or reaches the copilot needs credentials', () => {
  const combos = subsets(['rest', 'rasa', 'crisp'] as const).flatMap((channels) =>
    subsets(['push', 'posthog', 'stream'] as const).map((sources) => ({ channels: channels.join(','), sources: sources.join(',') })),
  );

  it(`covers ${combos.length} combinations of CHANNELS and SOURCES`, () => {
    expect(combos).toHaveLength(49);
  });

  it.each(combos)('CHANNELS=$channels SOURCES=$sources', async ({ channels, sources }) => {
    const t = await bootTestApp({ env: { ...SECRETS, CHANNELS: channels, SOURCES: sources } });
    try {
      const routes = mountedRoutes(t);
      expect(routes.length).toBeGreaterThan(3);
      expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining(['GET /v1/kb/search', 'POST /v1/kb/reindex', 'GET /v1/users/:userId/proactive', 'POST /v1/browser/chat', 'GET /v1/browser/events-stream']),
      );
      const open: string[] = [];
      for (const { method, path } of routes) {
        const key = `${method} ${path}`;
        if (PUBLIC.has(key)) continue;
        const url = path.replace(/:(\w+)/g, 'x');
        const req = method === 'GET' ? request(t.server).get(url) : request(t.server).post(url).set('content-type', 'application/json').send('{}');
        const res = await req;
        // /metrics is absent in production without METRICS_TOKEN, and the console without CONSOLE_USERS or
        // CONSOLE_TOKEN (test/console-auth.e2e-spec.ts covers it switched on); everything else refuses without credentials.
        const expected = path === '/metrics' || path.startsWith('/console') ? 404 : 401;
        if (res.status !== expected) open.push(`${key} → ${res.status}`);
      }
      expect(open).toEqual([]);
      // Docs are off in production.
      await request(t.server).get('/docs').expect(404);
      await request(t.server).get('/docs/openapi.json').expect(404);
    } finally {
      await t.close();
    }
  });

  it.each([
    [{ CHANNELS: 'crisp' }, 'API_KEYS'],
    [{ CHANNELS: 'rasa' }, 'API_KEYS'],
    [{ CHANNELS: 'rasa', API_KEYS: 'k' }, 'RASA_ACTION_TOKEN'],
    [{ SOURCES: 'push', API_KEYS: 'k' }, 'CONNECTOR_WEBHOOK_SECRET'],
    [{ SOURCES: 'posthog', API_KEYS: 'k' }, 'POSTHOG_WEBHOOK_SECRET'],
  ])('refuses to boot in production with %j (missing %s)', (env, missing) => {
    const base = { ...SECRETS, API_KEYS: '', CONNECTOR_WEBHOOK_SECRET: '', POSTHOG_WEBHOOK_SECRET: '', RASA_ACTION_TOKEN: '', SOURCES: 'stream' };
    let error: unknown;
    try {
      AppModule.forRoot({ env: { ...base, ...env } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).message).toContain(`${missing}`);
    expect((error as ConfigValidationError).message).toContain('ALLOW_UNAUTHENTICATED=true');
  });

  it('a source that is off needs no secret and has no route', async () => {
    const t = await bootTestApp({ env: { NODE_ENV: 'production', API_KEYS: 'k', SOURCES: 'posthog', POSTHOG_WEBHOOK_SECRET: 'p' } });
    try {
      await request(t.server).post('/v1/activity').set('content-type', 'application/json').send('{}').expect(404);
      await request(t.server).post('/v1/activity/posthog').set('content-type', 'application/json').send('{}').expect(401);
    } finally {
      await t.close();
    }
  });
});

describe('production: docs and metrics', () => {
  it('METRICS_TOKEN puts /metrics behind a Bearer token; DOCS_ENABLED=true turns the docs back on', async () => {
    const t = await bootTestApp({ env: { ...SECRETS, CHANNELS: 'rest', SOURCES: 'push', METRICS_TOKEN: 'm-token', DOCS_ENABLED: 'true' } });
    try {
      await request(t.server).get('/metrics').expect(401);
      await request(t.server).get('/metrics').set('authorization', 'Bearer prod-key').expect(401);
      const ok = await request(t.server).get('/metrics').set('authorization', 'Bearer m-token').expect(200);
      expect(ok.text).toContain('process_resident_memory_bytes');
      await request(t.server).get('/docs/openapi.json').expect(200);
    } finally {
      await t.close();
    }
  });

  it('METRICS_PORT serves metrics on their own listener (METRICS_HOST) and not on the main port', async () => {
    const t = await bootTestApp({ env: { ...SECRETS, CHANNELS: 'rest', SOURCES: 'push', METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' }, listen: true });
    try {
      await request(t.server).get('/metrics').expect(404);
      const { MetricsListener } = await import('../src/health/metrics.listener');
      const addr = t.app.get(MetricsListener).address!;
      expect(addr.host).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${addr.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('http_request_duration_seconds');
      expect((await fetch(`http://127.0.0.1:${addr.port}/v1/users/x/context`)).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('HTTP surface', () => {
  it('sends no X-Powered-By, and CORS only for CORS_ORIGINS on the REST API', async () => {
    const t = await bootTestApp({ env: { API_KEYS: 'k', CORS_ORIGINS: 'https://app.example.com' } });
    try {
      const plain = await request(t.server).get('/healthz').expect(200);
      expect(plain.headers['x-powered-by']).toBeUndefined();
      const allowed = await request(t.server).options('/v1/chat').set('origin', 'https://app.example.com').set('access-control-request-method', 'POST');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      const refused = await request(t.server).options('/v1/chat').set('origin', 'https://evil.example.com').set('access-control-request-method', 'POST');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
      const webhook = await request(t.server).options('/v1/activity').set('origin', 'https://app.example.com').set('access-control-request-method', 'POST');
      expect(webhook.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
    const closed = await bootTestApp({ env: { API_KEYS: 'k' } });
    try {
      const res = await request(closed.server).options('/v1/chat').set('origin', 'https://app.example.com').set('access-control-request-method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await closed.close();
    }
  });
});
