import { at } from './support/clock';
import request from 'supertest';
import { ActivityStream } from '../src/activity/activity.stream';
import type { ActivityEvent } from '../src/activity/activity.types';
import { SSE_CLIENT_TIMINGS } from '../src/activity/sources/connector/connector.constants';
import { FakeSseServer } from './support/fake-sse.server';
import { bootTestApp, type TestApp } from './support/test-app';

const TOKEN = 'uk_live_test_token';
const FAST_TIMINGS = { initialBackoffMs: 20, maxBackoffMs: 100, permanentFailureRetryMs: 60_000 };

const until = async (cond: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition') => {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busyWait = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

const actions = (sessionId: string, userId: string, titles: string[], productId = 'acme') => ({
  type: 'actions',
  product_id: productId,
  session_id: sessionId,
  user_id: userId,
  email: `${userId}@example.com`,
  actions: titles.map((title, index) => ({ index, type: 'click', title, description: title, canonical_url: '/dashboard', timestamp_start: at(index) })),
  count: titles.length,
  forwarded_at: 1_700_000_100,
});

async function bootWithStream(server: FakeSseServer, env: Record<string, string> = {}): Promise<TestApp> {
  return bootTestApp({
    env: { STREAM_URL: server.url, UNKEY_API_KEY: TOKEN, STREAM_IDLE_TIMEOUT_MS: '400', ...env },
    override: (b) => b.overrideProvider(SSE_CLIENT_TIMINGS).useValue(FAST_TIMINGS),
  });
}

const component = async (t: TestApp) => (await request(t.server).get('/healthz').expect(200)).body.components.connector_stream;
const metric = async (t: TestApp, pattern: RegExp) => {
  const text = (await request(t.server).get('/metrics').expect(200)).text;
  const m = pattern.exec(text);
  return m ? Number(m[1]) : undefined;
};

describe('connector SSE stream source (local SSE server)', () => {
  let server: FakeSseServer;
  let t: TestApp;

  beforeEach(async () => {
    server = await new FakeSseServer().start();
  });
  afterEach(async () => {
    await t?.close();
    await server.stop();
  });

  it('streams actions and summaries into the user\'s context, authenticated with the Unkey key', async () => {
    // Not about idleness: a slow machine must not reach the 400 ms idle timeout between the last frame and the checks.
    t = await bootWithStream(server, { STREAM_IDLE_TIMEOUT_MS: '10000' });
    const conn = await server.connection(1);
    expect(server.attempts[0].headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' });
    conn.send(actions('ps_1', 'u_stream', ['Opened Reports', 'Clicked Export', 'Clicked Download']));
    conn.heartbeat();
    await until(async () => (await request(t.server).get('/v1/users/u_stream/context')).status === 200, 5_000, 'context');
    conn.send({ type: 'summary', product_id: 'acme', session_id: 'ps_1', summary: 'Explored reports and exports.', replaces: 2, forwarded_at: 1 });
    await until(async () => (await request(t.server).get('/v1/users/u_stream/context')).body.context.includes('Summary:'), 5_000, 'summary');
    const ctx = (await request(t.server).get('/v1/users/u_stream/context').expect(200)).body;
    expect(ctx).toMatchObject({ userId: 'u_stream', email: 'u_stream@example.com', hasActivity: true });
    expect(ctx.context).toContain('Summary: Explored reports and exports.');
    expect(ctx.context).toContain('Clicked Download');
    expect(ctx.context).not.toContain('Opened Reports');

    const c = await component(t);
    expect(c).toMatchObject({ status: 'up', state: 'connected', reconnects: 0, dropped: 0, url: server.url });
    expect(typeof c.last_event_at).toBe('string');
    await request(t.server).get('/readyz').expect(200);
    expect(await metric(t, /^connector_stream_up (\d+)/m)).toBe(1);
    expect(await metric(t, /^connector_stream_frames_total\{kind="heartbeat"\} (\d+)/m)).toBe(1);
    expect(await metric(t, /^activity_events_ingested_total\{source="stream",type="actions"\} (\d+)/m)).toBe(1);
    expect(await metric(t, /^activity_events_ingested_total\{source="stream",type="summary"\} (\d+)/m)).toBe(1);
  });

  it('skips and counts malformed frames without dropping the connection', async () => {
    // Not about idleness: a slow machine must not reach the 400 ms idle timeout between the last frame and the checks.
    t = await bootWithStream(server, { STREAM_IDLE_TIMEOUT_MS: '10000' });
    const conn = await server.connection(1);
    conn.raw('data: {"type":"actions", broken\n\n');
    conn.send({ type: 'usertour_trigger', product_id: 'acme', flow_id: 'f1', session_id: 's' });
    conn.send({ type: 'actions', session_id: 's', actions: 'not-an-array' });
    conn.send({ type: 'actions', product_id: 'acme', user_id: 'u_nosession', actions: [{ title: 'x' }] });
    conn.raw('event: heartbeat\ndata:\n\n');
    conn.send(actions('ps_ok', 'u_ok', ['Still flowing']));
    await until(async () => (await request(t.server).get('/v1/users/u_ok/context')).status === 200, 5_000, 'valid event after malformed ones');
    expect(server.attempts).toHaveLength(1);
    for (const reason of ['invalid_json', 'unknown_type', 'invalid_event', 'missing_session_id']) {
      expect(await metric(t, new RegExp(`^activity_events_rejected_total\\{source="stream",reason="${reason}"\\} (\\d+)`, 'm'))).toBe(1);
    }
    await request(t.server).get('/v1/users/u_nosession/context').expect(404);
    expect((await component(t)).state).toBe('connected');
  });

  it('heartbeats keep the connection; silence past STREAM_IDLE_TIMEOUT_MS reconnects', async () => {
    t = await bootWithStream(server);
    const conn = await server.connection(1);
    conn.startHeartbeats(100);
    await sleep(900);
    expect(server.attempts).toHaveLength(1);
    conn.stopHeartbeats();
    const second = await server.connection(2);
    // The new connection is kept alive too: the checks below may take longer than the idle timeout on a loaded machine.
    second.startHeartbeats(100);
    second.send(actions('ps_after', 'u_after', ['After reconnect']));
    await until(async () => (await request(t.server).get('/v1/users/u_after/context')).status === 200, 5_000, 'event after reconnect');
    expect(await metric(t, /^connector_stream_disconnects_total\{reason="idle_timeout"\} (\d+)/m)).toBe(1);
    expect(await metric(t, /^connector_stream_reconnects_total (\d+)/m)).toBe(1);
    expect(await component(t)).toMatchObject({ state: 'connected', reconnects: 1 });
    second.stopHeartbeats();
  });

  it('a dropped connection reconnects with backoff and shows as degraded meanwhile', async () => {
    t = await bootWithStream(server);
    const conn = await server.connection(1);
    await until(async () => (await component(t)).state === 'connected');
    conn.heartbeat();
    await until(async () => (await component(t)).last_frame_at !== null);
    server.respondInOrder({ status: 503 });
    conn.destroy();
    await server.waitForAttempts(4);
    const down = await component(t);
    expect(down.status).toBe('degraded');
    expect(['reconnecting', 'connecting']).toContain(down.state);
    expect(down.last_error).toMatchObject({ reason: 'http_503', status: 503 });
    await request(t.server).get('/readyz').expect(200); // transient: not "down"
    // 20 ms after the drop, then 20, 40 ms after the 503s: the delay grows while attempts keep failing.
    expect(server.attempts[2].at - server.attempts[1].at).toBeGreaterThanOrEqual(18);
    expect(server.attempts[3].at - server.attempts[2].at).toBeGreaterThanOrEqual(38);
    server.respondInOrder({ stream: true });
    const second = await server.connection(2);
    second.send(actions('ps_back', 'u_back', ['Back online']));
    await until(async () => (await request(t.server).get('/v1/users/u_back/context')).status === 200, 5_000, 'event after recovery');
    expect(await component(t)).toMatchObject({ status: 'up', state: 'connected', last_error: { reason: 'http_503' } });
    expect((await component(t)).reconnects).toBeGreaterThanOrEqual(4);
  });

  it('a connector that answers 200 and hangs up at once shows as flapping, then down in /readyz', async () => {
    server.respondInOrder({ stream: true, endAfterMs: 0 });
    t = await bootWithStream(server);
    await until(async () => (await component(t)).flapping === true, 5_000, 'flapping');
    expect((await component(t)).status).toBe('degraded');
    await until(async () => (await component(t)).short_connections >= 5, 10_000, 'five short connections');
    expect((await component(t)).status).toBe('down');
    await request(t.server).get('/readyz').expect(503);
    server.respondInOrder({ stream: true });
    const conn = await server.connection(server.connections.length + 1, 10_000);
    conn.heartbeat();
    await until(async () => (await component(t)).status === 'up', 10_000, 'recovered');
    expect((await component(t)).flapping).toBe(false);
  });

  it('HTTP 401 is not retried in a loop: the source is marked failed in /readyz, /healthz and /metrics', async () => {
    server.respondInOrder({ status: 401, body: '{"detail":"invalid key"}' });
    t = await bootWithStream(server);
    await server.waitForAttempts(1);
    await sleep(400); // twenty times the backoff
    expect(server.attempts).toHaveLength(1);
    const ready = await request(t.server).get('/readyz').expect(503);
    expect(JSON.stringify(ready.body)).toContain('connector_stream');
    const h = await request(t.server).get('/healthz').expect(200);
    expect(h.body.status).toBe('degraded');
    expect(h.body.components.connector_stream).toMatchObject({ status: 'down', state: 'failed', last_error: { reason: 'http_401', status: 401 } });
    expect(JSON.stringify(h.body)).not.toContain(TOKEN);
    expect(await metric(t, /^connector_stream_failed (\d+)/m)).toBe(1);
    expect(await metric(t, /^connector_stream_disconnects_total\{reason="http_401"\} (\d+)/m)).toBe(1);
  });

  it('a slow consumer never blocks the reader: the oldest events are dropped and counted', async () => {
    t = await bootWithStream(server, { STREAM_BUFFER_SIZE: '20' });
    const seen: ActivityEvent[] = [];
    t.app.get(ActivityStream).subscribe('slow-test-consumer', (e) => {
      busyWait(3);
      seen.push(e);
    });
    const conn = await server.connection(1);
    const burst = Array.from({ length: 300 }, (_, i) => `data: ${JSON.stringify(actions(`ps_${i}`, `u_${i}`, [`Action ${i}`]))}\n\n`).join('');
    conn.raw(burst);
    conn.heartbeat();
    await until(async () => {
      const c = await component(t);
      return c.buffered === 0 && seen.length + c.dropped === 300;
    }, 10_000, 'burst handled');
    const c = await component(t);
    expect(c.dropped).toBeGreaterThan(0);
    expect(c).toMatchObject({ state: 'connected', reconnects: 0, buffer_capacity: 20 });
    expect(server.attempts).toHaveLength(1);
    expect(await metric(t, /^connector_stream_dropped_total (\d+)/m)).toBe(c.dropped);
    expect(await metric(t, /^connector_stream_frames_total\{kind="data"\} (\d+)/m)).toBe(300);
    // Drop-oldest: the newest event always survives, and delivery order is preserved.
    expect(seen[seen.length - 1].sessionId).toBe('ps_299');
    const order = seen.map((e) => Number(e.sessionId!.slice(3)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('shutdown closes the stream and still delivers what was buffered', async () => {
    t = await bootWithStream(server, { STREAM_BUFFER_SIZE: '1000' });
    const seen: string[] = [];
    t.app.get(ActivityStream).subscribe('slow-test-consumer', (e) => {
      busyWait(10);
      seen.push(e.sessionId!);
    });
    const conn = await server.connection(1);
    conn.raw(Array.from({ length: 40 }, (_, i) => `data: ${JSON.stringify(actions(`ps_${i}`, 'u_shutdown', ['x']))}\n\n`).join(''));
    await until(() => seen.length > 0, 5_000, 'first event');
    expect(seen.length).toBeLessThan(40);
    await t.close();
    t = undefined as unknown as TestApp;
    expect(seen).toHaveLength(40);
    await conn.closed;
  });
});

describe('connector SSE stream source disabled', () => {
  it('without STREAM_URL nothing connects and no component is reported', async () => {
    const t = await bootTestApp();
    try {
      const h = await request(t.server).get('/healthz').expect(200);
      expect(h.body.components.connector_stream).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
