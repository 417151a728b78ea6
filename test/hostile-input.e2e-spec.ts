import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import request from 'supertest';
import { isoAt } from './support/clock';
import { bootTestApp, type TestApp } from './support/test-app';

/** Findings of the hardening review, each as the request that used to break something. */
describe('hostile bodies are cheap to refuse, and always a 4xx', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { API_KEYS: 'k', REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '800' }, listen: true });
  });
  afterAll(() => t.close());
  const chat = (body: string) => request(t.server).post('/v1/chat').set('authorization', 'Bearer k').set('content-type', 'application/json').send(body);

  it('a body nested 3,000 levels deep → 400 (it used to overflow the validator\'s stack: 500)', async () => {
    const deep = `{"userId":"u","message":"hi","x":${'['.repeat(3_000)}${']'.repeat(3_000)}}`;
    const res = await chat(deep).expect(400);
    expect(res.body.message).toMatch(/nested deeper than 32 levels/);
  });

  it('an unknown field holding 60,000 keys → 400 at once, without blocking the event loop', async () => {
    const wide = JSON.stringify({ userId: 'u', message: 'hi', junk: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])) });
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const res = await request(t.server).post('/v1/chat').set('authorization', 'Bearer k').set('content-type', 'application/json').send(wide);
    h.disable();
    // 60k keys is ~1 MB: over /v1/chat's cap, refused before a byte is parsed.
    expect(res.status).toBe(413);
    expect(h.max / 1e6).toBeLessThan(100);
    const small = JSON.stringify({ userId: 'u', message: 'hi', junk: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i])) });
    expect((await chat(small).expect(400)).body.message).toBe('junk: unknown field');
  });

  it('an email holding a lone surrogate → 400 (the email validator used to throw: 500)', async () => {
    const res = await chat('{"userId":"u","message":"hi","email":"a\\ud800@example.com"}').expect(400);
    expect(res.body.message).toMatch(/ill-formed string/);
  });

  it.each([
    ['a __proto__ key', '{"userId":"u","message":"hi","__proto__":{"polluted":true}}', /__proto__ is not allowed/],
    ['a nested value in a DTO field', '{"userId":{"$ne":"x"},"message":"hi"}', /userId: must be a single value/],
    ['a list in a DTO field', '{"userId":"u","message":["a","b"]}', /message: must be a single value/],
    ['a JSON string instead of an object', '"hello"', /body must be a JSON object/],
    ['an unknown field', '{"userId":"u","message":"hi","role":"admin"}', /role: unknown field/],
  ])('%s → 400 naming the problem', async (_n, body, message) => {
    expect((await chat(body).expect(400)).body.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('/v1/chat takes at most CHAT_BODY_LIMIT (16kb), declared or not', async () => {
    const big = JSON.stringify({ userId: 'u', message: 'x'.repeat(20_000) });
    expect((await chat(big).expect(413)).body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    // Chunked (no Content-Length): read, then refused by the route's cap.
    const res = await fetch(`${t.url}/v1/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('oversized ids are refused at ingestion, never cut and stored (PostHog and push)', async () => {
    const longId = 'x'.repeat(450_000);
    const ph = await request(t.server).post('/v1/activity/posthog').set('content-type', 'application/json')
      .send(JSON.stringify({ event: '$autocapture', event_type: 'click', session_id: longId, distinct_id: 'u_long', button_or_link_text: 'x', timestamp: isoAt(5) }))
      .expect(202);
    expect(ph.body).toMatchObject({ actions: 0, skipped_reasons: { oversize_id: 1 } });
    const push = await request(t.server).post('/v1/activity').set('content-type', 'application/json')
      .send(JSON.stringify({ type: 'actions', session_id: 's', user_id: 'u'.repeat(201), actions: [{ title: 'x' }] }))
      .expect(202);
    expect(push.body).toMatchObject({ status: 'ignored', reason: 'oversize_id', detail: 'user_id is longer than 200 characters' });
    const h = (await request(t.server).get('/healthz').expect(200)).body;
    expect(h.sessions_tracked).toBe(0);
  });

  it('a client that sends its headers too slowly is cut off after HEADERS_TIMEOUT_MS', async () => {
    const port = Number(new URL(t.url!).port);
    const socket = await new Promise<Socket>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
      socket.on('data', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      });
    });
    expect(closedAfter).toBeGreaterThanOrEqual(700);
    expect(closedAfter).toBeLessThan(5_000);
  });
});

describe('MAX_CONNECTIONS', () => {
  it('drops connections beyond the cap', async () => {
    const t = await bootTestApp({ env: { MAX_CONNECTIONS: '3' }, listen: true });
    const port = Number(new URL(t.url!).port);
    const sockets: Socket[] = [];
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () =>
          new Promise<'open' | 'closed'>((resolve) => {
            const s = connect(port, '127.0.0.1');
            sockets.push(s);
            s.on('close', () => resolve('closed'));
            setTimeout(() => resolve('open'), 500);
          }),
        ),
      );
      expect(outcomes.filter((o) => o === 'open')).toHaveLength(3);
    } finally {
      for (const s of sockets) s.destroy();
      await t.close();
    }
  });
});
