import request from 'supertest';
import { MAX_STREAMS_PER_USER } from '../src/browser/browser-streams';
import { redactUrl } from '../src/common/logger.options';
import { userTokenFor } from '../src/copilot/identity-verifier';
import type { UserEventBus } from '../src/user-events/user-event-bus.port';
import { USER_EVENT_BUS } from '../src/user-events/user-events.constants';
import { SseReader } from './support/sse-reader';
import { bootTestApp, type TestApp } from './support/test-app';

const SECRET = 'browser-user-token-secret-7f3a';
const API_KEY = 'server-api-key-9c1e';
const CONNECTOR_SECRET = 'connector-secret-52bd';
const ORIGIN = 'https://app.example.com';
const OTHER_ORIGIN = 'https://evil.example.net';

const tokenOf = (userId: string) => userTokenFor(SECRET, userId);
const as = (userId: string, token = tokenOf(userId)) => ({ 'x-user-id': userId, 'x-user-token': token });

const batch = (overrides: Record<string, unknown> = {}) => ({
  productId: 'acme',
  sessionId: 'bs_1',
  actions: [
    { type: 'pageview', title: 'Viewed Projects', url: 'https://app.example.com/projects' },
    { type: 'click', title: "Clicked 'Edit'", url: 'https://app.example.com/projects/42?tab=1' },
  ],
  ...overrides,
});

const BASE_ENV = {
  USER_TOKEN_SECRET: SECRET,
  API_KEYS: API_KEY,
  CONNECTOR_WEBHOOK_SECRET: CONNECTOR_SECRET,
  BROWSER_ALLOWED_ORIGINS: ORIGIN,
  BROWSER_STREAM_HEARTBEAT_MS: '150',
  BROWSER_EVENTS_BODY_LIMIT: '4kb',
  CHAT_BODY_LIMIT: '2kb',
};

describe('browser endpoints are off without USER_TOKEN_SECRET', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { API_KEYS: API_KEY, BROWSER_ALLOWED_ORIGINS: ORIGIN } });
  });
  afterAll(() => t.close());

  it.each([
    ['post', '/v1/browser/events'],
    ['post', '/v1/browser/chat'],
    ['get', '/v1/browser/events-stream?userId=u1&token=x'],
    ['get', '/sdk/widget.js'],
  ])('%s %s is 404, with no CORS headers even for an allowed origin', async (method, path) => {
    const res = await (request(t.server) as any)[method](path).set('origin', ORIGIN).send(method === 'post' ? batch() : undefined);
    expect(res.status).toBe(404);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('browser endpoints with USER_TOKEN_SECRET', () => {
  let t: TestApp;
  let bus: UserEventBus;
  const readers: SseReader[] = [];
  const stream = async (query: string, headers: Record<string, string> = {}) => {
    const r = await new SseReader().open(`${t.url}/v1/browser/events-stream${query}`, headers);
    readers.push(r);
    return r;
  };
  const streamAs = (userId: string, extra = '') => stream(`?userId=${encodeURIComponent(userId)}&token=${tokenOf(userId)}${extra}`);

  beforeAll(async () => {
    t = await bootTestApp({ env: BASE_ENV, listen: true });
    bus = t.app.get(USER_EVENT_BUS);
  });
  afterEach(() => readers.splice(0).forEach((r) => r.close()));
  afterAll(() => t.close());

  describe('POST /v1/browser/events', () => {
    it("stores a valid batch for the token's user only, through the ingestion path (ids canonicalised)", async () => {
      const res = await request(t.server).post('/v1/browser/events').set(as('u_events')).send(batch()).expect(202);
      expect(res.body).toEqual({ status: 'accepted', actions: 2 });
      const ctx = await request(t.server).get('/v1/users/u_events/context').set('authorization', `Bearer ${API_KEY}`).expect(200);
      expect(ctx.body.sessions).toEqual([expect.objectContaining({ productId: 'acme', sessionId: 'bs_1', actions: 2 })]);
      expect(ctx.body.context).toMatch(/Clicked 'Edit' — \/projects\/:id {2}← current position/);
      expect(ctx.body.context).toContain('Viewed Projects — /projects');
    });

    it.each([
      ['missing', {}],
      ['a missing token', { 'x-user-id': 'u_victim' }],
      ['a wrong token', as('u_victim', 'f'.repeat(64))],
      ["another user's token", as('u_victim', tokenOf('u_attacker'))],
      ['an over-long user id', as('u'.repeat(201))],
    ])('refuses %s credentials with 401 and stores nothing', async (_label, headers) => {
      const res = await request(t.server).post('/v1/browser/events').set(headers as Record<string, string>).send(batch({ sessionId: 'bs_victim' })).expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'A valid user id and user token are required' });
      await request(t.server).get('/v1/users/u_victim/context').set('authorization', `Bearer ${API_KEY}`).expect(404);
    });

    it('cannot name another user in the body', async () => {
      const res = await request(t.server).post('/v1/browser/events').set(as('u_a')).send({ ...batch(), userId: 'u_b' }).expect(400);
      expect(JSON.stringify(res.body.message)).toContain('userId');
      await request(t.server).get('/v1/users/u_b/context').set('authorization', `Bearer ${API_KEY}`).expect(404);
    });

    it.each([
      ['actions that are not an array', { actions: 'click' }, 'actions'],
      ['an unknown action type', { actions: [{ type: 'keystroke', title: 'x', url: '/x' }] }, 'type'],
      ['an action without a url', { actions: [{ type: 'click', title: 'x' }] }, 'url'],
      ['more than 50 actions', { actions: Array.from({ length: 51 }, () => ({ type: 'click', title: 'x', url: '/x' })) }, 'actions'],
      ['no product id', { productId: '' }, 'productId'],
    ])('answers 400 naming the field for %s', async (_label, overrides, field) => {
      const res = await request(t.server).post('/v1/browser/events').set(as('u_bad')).send(batch(overrides)).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(field);
    });

    it('refuses a body over BROWSER_EVENTS_BODY_LIMIT with 413', async () => {
      const actions = Array.from({ length: 20 }, (_, i) => ({ type: 'click', title: `Clicked '${'x'.repeat(250)}${i}'`, url: '/x' }));
      await request(t.server).post('/v1/browser/events').set(as('u_big')).send(batch({ actions })).expect(413);
    });
  });

  describe('POST /v1/browser/chat', () => {
    it("answers like POST /v1/chat, grounded in the token's user's activity", async () => {
      await request(t.server).post('/v1/browser/events').set(as('u_chat')).send(batch({ sessionId: 'bs_chat' })).expect(202);
      const res = await request(t.server).post('/v1/browser/chat').set(as('u_chat')).send({ message: 'How do I edit several?', sessionId: 'bs_chat' }).expect(200);
      expect(res.body).toEqual({ reply: expect.stringContaining("You're currently on /projects/:id"), conversationId: expect.any(String), hasActivity: true });
      const rest = await request(t.server).post('/v1/chat').set('authorization', `Bearer ${API_KEY}`).send({ userId: 'u_chat', message: 'How do I edit several?' }).expect(200);
      expect(rest.body.reply).toBe(res.body.reply);
    });

    it.each([
      ['missing', {}],
      ['a wrong token', as('u_chat', 'a'.repeat(64))],
      ["another user's token", as('u_chat', tokenOf('u_other'))],
    ])('refuses %s credentials with 401', async (_label, headers) => {
      await request(t.server).post('/v1/browser/chat').set(headers as Record<string, string>).send({ message: 'hi' }).expect(401);
    });

    it('does not let the body choose the user, and validates the message', async () => {
      await request(t.server).post('/v1/browser/chat').set(as('u_x')).send({ message: 'hi', userId: 'u_chat' }).expect(400);
      await request(t.server).post('/v1/browser/chat').set(as('u_x')).send({ message: '' }).expect(400);
      await request(t.server).post('/v1/browser/chat').set(as('u_x')).send({ message: 'x'.repeat(3_000) }).expect(413);
    });
  });

  describe('GET /v1/browser/events-stream', () => {
    it("streams only the token's user's events, with heartbeats", async () => {
      const mine = await streamAs('u_stream');
      expect(mine.status).toBe(200);
      expect(mine.headers?.get('content-type')).toMatch(/^text\/event-stream/);
      const nudge = { nudgeId: 'n1', ruleId: 'bulk-edit-offer', message: 'Editing projects one by one?', quickReplies: ['Show me', 'No thanks'], channel: 'browser', at: Date.now() };
      await bus.publish({ userId: 'u_someone_else' }, 'nudge', { ...nudge, nudgeId: 'not-mine' });
      const published = await bus.publish({ userId: 'u_stream', productId: 'acme' }, 'nudge', nudge);
      await mine.until((f) => f.some((x) => x.event === 'nudge'));
      await mine.until((f) => f.filter((x) => x.comment === 'ping').length >= 2);
      expect(mine.events('nudge')).toEqual([{ id: published.id, event: 'nudge', data: JSON.stringify(nudge) }]);
    });

    it('resumes after Last-Event-ID (header or query) with what was missed', async () => {
      const first = await bus.publish({ userId: 'u_resume' }, 'nudge', { nudgeId: 'a' });
      const second = await bus.publish({ userId: 'u_resume' }, 'nudge', { nudgeId: 'b' });
      const third = await bus.publish({ userId: 'u_resume' }, 'nudge', { nudgeId: 'c' });
      const viaHeader = await stream(`?userId=u_resume&token=${tokenOf('u_resume')}`, { 'last-event-id': first.id });
      await viaHeader.until((f) => f.filter((x) => x.event === 'nudge').length >= 2);
      expect(viaHeader.events('nudge').map((e) => e.id)).toEqual([second.id, third.id]);
      const viaQuery = await streamAs('u_resume', `&lastEventId=${encodeURIComponent(second.id)}`);
      await viaQuery.until((f) => f.some((x) => x.event === 'nudge'));
      expect(viaQuery.events('nudge').map((e) => e.id)).toEqual([third.id]);
    });

    it.each([
      ['missing', ''],
      ['a missing token', '?userId=u_stream'],
      ['a wrong token', `?userId=u_stream&token=${'b'.repeat(64)}`],
      ["another user's token", `?userId=u_stream&token=${tokenOf('u_other')}`],
    ])('refuses %s credentials with 401 and opens nothing', async (_label, query) => {
      const r = await stream(query);
      expect(r.status).toBe(401);
    });

    it('does not take the token from headers on the stream, nor from the query on POSTs', async () => {
      expect((await stream('', as('u_stream'))).status).toBe(401);
      await request(t.server).post(`/v1/browser/chat?userId=u_stream&token=${tokenOf('u_stream')}`).send({ message: 'hi' }).expect(401);
    });

    it(`closes a user's oldest stream past ${MAX_STREAMS_PER_USER} open at once`, async () => {
      const streams = [];
      for (let i = 0; i <= MAX_STREAMS_PER_USER; i++) streams.push(await streamAs('u_tabs'));
      const [oldest, ...rest] = streams;
      const deadline = Date.now() + 5_000;
      while (!oldest.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(oldest.ended).toBe(true);
      expect(rest.map((r) => r.ended)).toEqual(rest.map(() => false));
    });

    it('keeps the token out of logged URLs', () => {
      const logged = redactUrl(`/v1/browser/events-stream?userId=u_stream&token=${tokenOf('u_stream')}`)!;
      expect(logged).toBe('/v1/browser/events-stream?userId=u_stream&token=[REDACTED]');
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin, with the headers the snippet sends', async () => {
      const res = await request(t.server)
        .options('/v1/browser/events')
        .set('origin', ORIGIN)
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type,x-user-id,x-user-token')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['access-control-allow-headers']).toMatch(/x-user-token/i);
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('gives a refused origin no CORS header at all, preflight or request', async () => {
      const pre = await request(t.server)
        .options('/v1/browser/chat')
        .set('origin', OTHER_ORIGIN)
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type,x-user-id,x-user-token');
      expect(pre.status).not.toBe(204);
      expect(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      const res = await request(t.server).post('/v1/browser/events').set('origin', OTHER_ORIGIN).set(as('u_cors')).send(batch());
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });

    it('puts the allowed origin on real responses, errors included', async () => {
      const ok = await request(t.server).post('/v1/browser/events').set('origin', ORIGIN).set(as('u_cors')).send(batch()).expect(202);
      expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
      const refused = await request(t.server).post('/v1/browser/events').set('origin', ORIGIN).send(batch()).expect(401);
      expect(refused.headers['access-control-allow-origin']).toBe(ORIGIN);
    });
  });

  describe('GET /sdk/widget.js', () => {
    it('serves the snippet as JavaScript, without any server secret in it', async () => {
      const res = await request(t.server).get('/sdk/widget.js').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      const script = res.text;
      expect(script).toContain('/v1/browser/events');
      expect(script).toContain('/v1/browser/events-stream');
      expect(script.length).toBeLessThan(16_000);
      for (const secret of [SECRET, API_KEY, CONNECTOR_SECRET]) expect(script).not.toContain(secret);
      // Nor anything derived from the secret: no user token can be in a script served to everyone.
      expect(script).not.toMatch(/[0-9a-f]{64}/);
    });
  });
});

describe('browser rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { ...BASE_ENV, BROWSER_RATE_LIMIT_PER_MINUTE: '3', BROWSER_IP_RATE_LIMIT_PER_MINUTE: '8' } });
  });
  afterAll(() => t.close());

  it('limits each user, then each IP whoever it claims to be, with Retry-After', async () => {
    const chat = (headers: Record<string, string>) => request(t.server).post('/v1/browser/chat').set(headers).send({ message: 'hi' });
    for (let i = 0; i < 3; i++) expect((await chat(as('u_busy'))).status).toBe(200);
    const limited = await chat(as('u_busy'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Events and chat share one budget per user.
    expect((await request(t.server).post('/v1/browser/events').set(as('u_busy')).send(batch())).status).toBe(429);
    // Requests that failed authentication never spend the named user's budget ...
    expect((await chat(as('u_calm', tokenOf('u_busy')))).status).toBe(401);
    expect((await chat(as('u_calm', tokenOf('u_busy')))).status).toBe(401);
    // ... but they count against the IP: 7 requests so far (the refused ones included), so one more fits.
    expect((await chat(as('u_calm'))).status).toBe(200);
    const ipLimited = await chat(as('u_fresh'));
    expect(ipLimited.status).toBe(429);
    expect(ipLimited.body.message).toMatch(/Too many requests/);
  });
});
