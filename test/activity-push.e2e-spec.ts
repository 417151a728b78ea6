import { fixturePath } from './support/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { SESSION_STORE } from '../src/activity/activity.constants';
import type { SessionStore } from '../src/activity/session-store/session-store.port';
import { hmacSha256Hex } from '../src/common/secrets';
import { bootTestApp, type TestApp } from './support/test-app';

const FIX = fixturePath('connector');
const SECRET = 'test-secret';
const sign = (body: string | Buffer) => `sha256=${hmacSha256Hex(SECRET, body)}`;
const actionsBody = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'actions', product_id: 'acme', session_id: 'ps_1', user_id: 'u_42', email: 'jane.doe@example.com',
    actions: [
      { type: 'pageview', title: 'Viewed Billing', canonical_url: '/settings/billing' },
      { type: 'click', title: "Clicked 'Upgrade plan'", canonical_url: '/settings/billing' },
    ],
    ...over,
  });

describe('POST /v1/activity (signed push)', () => {
  let t: TestApp;
  let store: SessionStore;
  beforeAll(async () => {
    t = await bootTestApp({ env: { CONNECTOR_WEBHOOK_SECRET: SECRET, BODY_LIMIT: '64kb' } });
    store = t.app.get(SESSION_STORE);
  });
  afterAll(() => t.close());

  const post = (body: string | Buffer, signature?: string) => {
    const req = request(t.server).post('/v1/activity').set('content-type', 'application/json');
    if (signature !== undefined) req.set('x-connector-signature', signature);
    return req.send(body);
  };

  it('accepts the SDK test fixtures byte for byte with their published signatures', async () => {
    const actions = readFileSync(join(FIX, 'push-actions-body.test-sdk-webhook.json'), 'utf8');
    const summary = readFileSync(join(FIX, 'push-summary-body.test-sdk-webhook.json'), 'utf8');
    // The SDK's own test body carries no actions: acknowledged (the connector would retry a 4xx) and ignored.
    await post(actions, 'sha256=f405ea54a75be83009a116f8344eeb119c7dc8b44aaf14f60ac401af337be4d1').expect(202, {
      status: 'ignored', reason: 'no_actions', detail: 'the event carries no actions', ignored: true,
    });
    await post(summary, 'sha256=fca13a1b9d1043f642dad853c1be55c251769aa9080329cd4ca0d8a20d527d1e').expect(202, { status: 'accepted', type: 'summary' });
  });

  it('stores a recognised event and serves it as the user\'s context', async () => {
    const body = actionsBody();
    await post(body, sign(body)).expect(202, { status: 'accepted', type: 'actions', actions: 2 });
    const res = await request(t.server).get('/v1/users/u_42/context').expect(200);
    expect(res.body).toMatchObject({ userId: 'u_42', email: 'jane.doe@example.com', hasActivity: true });
    expect(res.body.sessions).toEqual([expect.objectContaining({ productId: 'acme', sessionId: 'ps_1', actions: 2 })]);
    expect(res.body.context).toContain('Viewed Billing');
    expect(res.body.context).toMatch(/Clicked 'Upgrade plan' — \/settings\/billing {2}← current position$/);
  });

  it('accepts an upper-case hex signature', async () => {
    const body = actionsBody({ session_id: 'ps_upper' });
    await post(body, sign(body).replace(/[a-f]/g, (c) => c.toUpperCase())).expect(202);
  });

  describe('rejections reach nothing', () => {
    const cases: [string, () => { body: string; sig?: string }][] = [
      ['a missing signature header', () => ({ body: actionsBody({ user_id: 'evil' }) })],
      ['a wrong signature', () => ({ body: actionsBody({ user_id: 'evil' }), sig: sign('something else') })],
      ['a wrong-length signature', () => ({ body: actionsBody({ user_id: 'evil' }), sig: sign(actionsBody({ user_id: 'evil' })).slice(0, 20) })],
      ['a signature without the sha256= prefix', () => { const b = actionsBody({ user_id: 'evil' }); return { body: b, sig: hmacSha256Hex(SECRET, b) }; }],
      ['a signature over a different secret', () => { const b = actionsBody({ user_id: 'evil' }); return { body: b, sig: `sha256=${hmacSha256Hex('other', b)}` }; }],
    ];
    it.each(cases)('%s → 401 without saying which part failed', async (_name, make) => {
      const { body, sig } = make();
      const res = await post(body, sig).expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid signature' });
      expect(await store.getUserActivity('evil')).toBeNull();
    });

    it('a signed body with invalid JSON → 400 naming the problem', async () => {
      const body = '{"type": "actions", ';
      const res = await post(body, sign(body)).expect(400);
      expect(res.body.message).toMatch(/^Invalid JSON body/);
    });

    it('a signed but unusable event → 202 ignored with the reason naming the field, nothing stored (the connector retries any 4xx)', async () => {
      const body = JSON.stringify({ type: 'actions', session_id: 'bad', user_id: 'evil2', actions: 'click' });
      const res = await post(body, sign(body)).expect(202);
      expect(res.body).toEqual({ status: 'ignored', reason: 'invalid_event', detail: 'actions must be an array', ignored: true });
      const noType = JSON.stringify({ session_id: 's' });
      expect((await post(noType, sign(noType)).expect(202)).body).toMatchObject({ status: 'ignored', reason: 'missing_type' });
      const emptySummary = JSON.stringify({ type: 'summary', product_id: 'acme', session_id: 'ps_1', summary: '' });
      expect((await post(emptySummary, sign(emptySummary)).expect(202)).body).toMatchObject({ status: 'ignored', reason: 'empty_summary' });
      expect(await store.getUserActivity('evil2')).toBeNull();
    });

    it('a JSON body that is not an event object → 400 (the connector never sends one)', async () => {
      for (const body of ['[]', '"actions"', '42']) {
        expect((await post(body, sign(body)).expect(400)).body.message).toBe('event must be a JSON object');
      }
    });

    it('an event without a session id → 202 ignored, never pooled', async () => {
      const body = actionsBody({ session_id: null, user_id: 'nosession' });
      const res = await post(body, sign(body)).expect(202);
      expect(res.body).toMatchObject({ status: 'ignored', reason: 'missing_session_id' });
      expect(res.body.detail).toContain('session_id is required');
      expect(await store.getUserActivity('nosession')).toBeNull();
    });

    it('actions older than LOOKBACK_SECONDS by their own timestamps are skipped and counted', async () => {
      const now = Date.now() / 1000;
      const body = actionsBody({
        session_id: 'ps_old', user_id: 'u_old',
        actions: [{ title: 'last year', timestamp_start: now - 365 * 86_400 }, { title: 'just now', timestamp_start: now - 5 }],
      });
      expect((await post(body, sign(body)).expect(202)).body).toEqual({ status: 'accepted', type: 'actions', actions: 1, stale: 1 });
      const ctx = (await request(t.server).get('/v1/users/u_old/context').expect(200)).body;
      expect(ctx.context).toContain('just now');
      expect(ctx.context).not.toContain('last year');
      const allOld = actionsBody({ session_id: 'ps_old2', user_id: 'u_old2', actions: [{ title: 'ancient', timestamp_start: 1_500_000_000 }] });
      expect((await post(allOld, sign(allOld)).expect(202)).body).toMatchObject({ status: 'ignored', reason: 'stale' });
      await request(t.server).get('/v1/users/u_old2/context').expect(404);
      const m = await request(t.server).get('/metrics').expect(200);
      expect(m.text).toMatch(/activity_events_rejected_total\{source="push",reason="stale_action"\} 2/);
    });

    it('an empty body → 400', async () => {
      await post('', sign('')).expect(400);
    });

    it('a body over BODY_LIMIT → 413 JSON, nothing stored', async () => {
      const body = actionsBody({ user_id: 'big', actions: Array.from({ length: 2_000 }, (_, i) => ({ title: `action ${i} ${'x'.repeat(20)}` })) });
      const res = await post(body, sign(body)).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await store.getUserActivity('big')).toBeNull();
    });
  });

  it('acknowledges an unknown event type with ignored: true', async () => {
    const body = readFileSync(join(FIX, 'unknown-type-body.test-sdk-webhook.json'), 'utf8');
    await post(body, sign(body)).expect(202, { status: 'ignored', reason: 'unknown_type', detail: 'unknown event type "heartbeat"', type: 'heartbeat', ignored: true });
  });

  it('applies connector summary events to the session (they replace the oldest actions)', async () => {
    const a = actionsBody({ session_id: 'ps_sum', user_id: 'u_sum', actions: [{ title: 'one' }, { title: 'two' }, { title: 'three' }] });
    await post(a, sign(a)).expect(202);
    const s = JSON.stringify({ type: 'summary', product_id: 'acme', session_id: 'ps_sum', summary: 'Did one and two.', replaces: 2 });
    await post(s, sign(s)).expect(202);
    const ctx = await request(t.server).get('/v1/users/u_sum/context').expect(200);
    expect(ctx.body.context).toContain('Summary: Did one and two.');
    expect(ctx.body.context).not.toContain('one —');
    expect(ctx.body.context).toContain('three');
  });

  it('counts what was ingested and rejected in /healthz and /metrics', async () => {
    const h = await request(t.server).get('/healthz').expect(200);
    expect(h.body.status).toBe('ok');
    expect(h.body.events_ingested).toBeGreaterThanOrEqual(6);
    expect(h.body.events_rejected).toBeGreaterThanOrEqual(10);
    expect(h.body.users_tracked).toBeGreaterThanOrEqual(2);
    const m = await request(t.server).get('/metrics').expect(200);
    expect(m.text).toMatch(/activity_events_rejected_total\{source="push",reason="bad_signature"\} 5/);
    expect(m.text).toMatch(/activity_events_rejected_total\{source="push",reason="invalid_json"\} \d/);
    expect(m.text).toMatch(/activity_events_ingested_total\{source="push",type="actions"\} \d/);
  });
});

describe('healthz counts from a fresh app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  it('reports users, sessions, ingested and rejected exactly', async () => {
    const push = (body: unknown) => request(t.server).post('/v1/activity').set('content-type', 'application/json').send(JSON.stringify(body));
    await push({ type: 'actions', product_id: 'p', session_id: 's1', user_id: 'a', actions: [{ title: 'x' }] }).expect(202);
    await push({ type: 'actions', product_id: 'p', session_id: 's2', user_id: 'a', actions: [{ title: 'y' }] }).expect(202);
    await push({ type: 'actions', product_id: 'p', session_id: 's3', user_id: 'b', actions: [{ title: 'z' }] }).expect(202);
    await push({ type: 'actions', actions: 'nope' }).expect(202);
    const h = await request(t.server).get('/healthz').expect(200);
    expect(h.body).toMatchObject({ status: 'ok', users_tracked: 2, sessions_tracked: 3, events_ingested: 3, events_rejected: 1 });
    expect(typeof h.body.uptime_s).toBe('number');
    await request(t.server).get('/readyz').expect(200);
  });

  it('404 only for a user never seen', async () => {
    const res = await request(t.server).get('/v1/users/never-seen/context').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No activity has been seen for user never-seen' });
  });
});
