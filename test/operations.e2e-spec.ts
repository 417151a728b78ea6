import request from 'supertest';
import { bootTestApp, type TestApp } from './support/test-app';

describe('operations endpoints and cross-cutting behaviour', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { API_KEYS: 'key-one,key-two' } });
  });
  afterAll(() => t.close());

  it('serves the OpenAPI UI and document generated from the DTOs', async () => {
    await request(t.server).get('/docs').expect(200).expect('content-type', /html/);
    const doc = await request(t.server).get('/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/activity', '/v1/users/{userId}/context', '/healthz', '/readyz']));
    expect(doc.body.components.schemas.ActivityEventDto.properties).toHaveProperty('session_id');
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await request(t.server).get('/nope').expect(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('protects /v1/users with API_KEYS (any listed key works; constant-time compare)', async () => {
    const unauth = await request(t.server).get('/v1/users/u/context').expect(401);
    expect(unauth.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing or invalid API key' });
    await request(t.server).get('/v1/users/u/context').set('authorization', 'Bearer wrong').expect(401);
    await request(t.server).get('/v1/users/u/context?token=key-one').expect(401); // query tokens only where allowed
    await request(t.server).get('/v1/users/u/context').set('authorization', 'Bearer key-two').expect(404);
  });

  it('exports HTTP latency by route template in /metrics', async () => {
    await request(t.server).get('/healthz').expect(200);
    const m = await request(t.server).get('/metrics').expect(200).expect('content-type', /text\/plain/);
    expect(m.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(m.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/users\/:userId\/context",status="401"\} \d+/);
    expect(m.text).toContain('process_resident_memory_bytes');
  });

  it('echoes a caller-supplied request id and makes one up otherwise', async () => {
    const given = await request(t.server).get('/healthz').set('x-request-id', 'abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await request(t.server).get('/healthz').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const next = await request(t.server).get('/healthz').expect(200);
    expect(next.headers['x-request-id']).not.toBe(made.headers['x-request-id']);
  });
});
