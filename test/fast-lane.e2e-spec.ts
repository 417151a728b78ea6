import { gzipSync } from 'node:zlib';
import { hmacSha256Hex } from '../src/common/secrets';
import { FakeCrispServer } from './support/fake-crisp.server';
import { isoAt } from './support/clock';
import { readJsonFixture } from './support/fixtures';
import { bootTestApp, type TestApp } from './support/test-app';

/**
 * The fast lane (src/http-lane) must answer exactly as the Express stack does for the hot
 * routes: two apps, FAST_LANE on and off, get the same requests and must give the same
 * status and body, for the happy path and for every way a request can be wrong.
 */
const PUSH_SECRET = 'push-secret';
const POSTHOG_SECRET = 'ph-secret';

interface Case {
  name: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | (() => ReadableStream<Uint8Array>);
  /** The status both lanes must give. */
  status: number;
}

describe('fast lane: same answers as the Express stack', () => {
  const crisp = new FakeCrispServer({ record: false });
  const fixture = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');
  let lane: TestApp;
  let express: TestApp;

  const env = () => ({
    CHANNELS: 'rest,crisp', SOURCES: 'push,posthog', SUMMARIZER: 'none', CONNECTOR_WEBHOOK_SECRET: PUSH_SECRET, POSTHOG_WEBHOOK_SECRET: POSTHOG_SECRET,
    CRISP_WEBSITE_ID: fixture.website_id, CRISP_TOKEN_IDENTIFIER: 'i', CRISP_TOKEN_KEY: 'k', CRISP_WEBHOOK_SECRET: 'hook', CRISP_API_URL: crisp.url, HOOK_BODY_LIMIT: '8kb',
  });

  beforeAll(async () => {
    await crisp.start();
    lane = await bootTestApp({ env: { ...env(), FAST_LANE: 'true' }, listen: true });
    express = await bootTestApp({ env: { ...env(), FAST_LANE: 'false' }, listen: true });
  });
  afterAll(async () => {
    await lane.close();
    await express.close();
    await crisp.stop();
  });

  const hook = (over: Record<string, unknown> = {}) => JSON.stringify({ ...fixture, data: { ...fixture.data, fingerprint: Math.floor(Math.random() * 1e12) }, ...over });
  const pushBody = JSON.stringify({
    type: 'actions', product_id: 'acme', session_id: 'fl_s1', user_id: 'fl_u1',
    actions: [{ type: 'click', title: "Clicked 'Save'", canonical_url: '/settings', timestamp_start: Math.floor(Date.now() / 1000) }],
  });
  const signed = (body: string) => ({ 'content-type': 'application/json', 'x-connector-signature': `sha256=${hmacSha256Hex(PUSH_SECRET, body)}` });
  const posthogBody = JSON.stringify({ event: '$pageview', session_id: 'fl_ph1', distinct_id: 'fl_u2', current_url: 'https://app.example.com/projects', timestamp: isoAt(1), uuid: 'fl-e1' });
  const json = { 'content-type': 'application/json' };
  const chunked = (text: string) => () =>
    new ReadableStream<Uint8Array>({
      start(c) {
        const bytes = new TextEncoder().encode(text);
        for (let i = 0; i < bytes.length; i += 1024) c.enqueue(bytes.slice(i, i + 1024));
        c.close();
      },
    });

  const CASES: Case[] = [
    { name: 'crisp: a visitor message is acknowledged', path: '/crisp/hooks?key=hook', headers: json, body: hook(), status: 200 },
    { name: 'crisp: an ignored event', path: '/crisp/hooks?key=hook', headers: json, body: hook({ event: 'message:received' }), status: 200 },
    { name: 'crisp: wrong key', path: '/crisp/hooks?key=nope', headers: json, body: hook(), status: 401 },
    { name: 'crisp: no key', path: '/crisp/hooks', headers: json, body: hook(), status: 401 },
    { name: 'crisp: the key given twice', path: '/crisp/hooks?key=hook&key=hook', headers: json, body: hook(), status: 401 },
    { name: 'crisp: the key percent-encoded by name', path: '/crisp/hooks?%6Bey=hook', headers: json, body: hook(), status: 200 },
    { name: 'crisp: empty body', path: '/crisp/hooks?key=hook', headers: json, body: '', status: 400 },
    { name: 'crisp: broken JSON', path: '/crisp/hooks?key=hook', headers: json, body: '{"event":', status: 400 },
    { name: 'crisp: whitespace only', path: '/crisp/hooks?key=hook', headers: json, body: '   ', status: 400 },
    { name: 'crisp: a JSON array', path: '/crisp/hooks?key=hook', headers: json, body: '[]', status: 400 },
    { name: 'crisp: no event', path: '/crisp/hooks?key=hook', headers: json, body: JSON.stringify({ data: {} }), status: 400 },
    { name: 'crisp: nested 40 levels', path: '/crisp/hooks?key=hook', headers: json, body: `${'['.repeat(40)}${']'.repeat(40)}`, status: 400 },
    { name: 'crisp: a lone surrogate', path: '/crisp/hooks?key=hook', headers: json, body: '{"event":"message:send","data":{"content":"\\ud800"}}', status: 400 },
    { name: 'crisp: a __proto__ key', path: '/crisp/hooks?key=hook', headers: json, body: '{"event":"x","data":{"__proto__":{"a":1}}}', status: 400 },
    { name: 'crisp: bad JSON before a bad key (parse comes first)', path: '/crisp/hooks?key=nope', headers: json, body: '{', status: 400 },
    { name: 'crisp: over the hook limit, declared', path: '/crisp/hooks?key=hook', headers: json, body: hook({ pad: 'x'.repeat(9_000) }), status: 413 },
    { name: 'crisp: over the hook limit, chunked', path: '/crisp/hooks?key=hook', headers: json, body: chunked(hook({ pad: 'x'.repeat(9_000) })), status: 413 },
    { name: 'crisp: chunked within the limit', path: '/crisp/hooks?key=hook', headers: json, body: chunked(hook()), status: 200 },
    { name: 'crisp: a BOM before the JSON', path: '/crisp/hooks?key=hook', headers: json, body: `\ufeff${hook()}`, status: 200 },
    { name: 'crisp: text/plain content type', path: '/crisp/hooks?key=hook', headers: { 'content-type': 'text/plain' }, body: hook(), status: 200 },
    { name: 'crisp: gzip (left to Express)', path: '/crisp/hooks?key=hook', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(hook()), status: 200 },
    { name: 'crisp: a gzip bomb (left to Express)', path: '/crisp/hooks?key=hook', headers: { ...json, 'content-encoding': 'gzip' }, body: gzipSync(`{"a":"${'x'.repeat(2_000_000)}"}`), status: 413 },
    { name: 'crisp: an unknown content coding', path: '/crisp/hooks?key=hook', headers: { ...json, 'content-encoding': 'zstd-ish' }, body: hook(), status: 415 },
    { name: 'crisp: latin1 charset (left to Express)', path: '/crisp/hooks?key=hook', headers: { 'content-type': 'application/json; charset=latin1' }, body: hook(), status: 415 },
    { name: 'crisp: GET is not a route', path: '/crisp/hooks?key=hook', method: 'GET', status: 404 },
    { name: 'crisp: trailing slash (left to Express)', path: '/crisp/hooks/?key=hook', headers: json, body: hook(), status: 200 },
    { name: 'push: signed event accepted', path: '/v1/activity', headers: signed(pushBody), body: pushBody, status: 202 },
    { name: 'push: bad signature', path: '/v1/activity', headers: { ...json, 'x-connector-signature': 'sha256=00' }, body: pushBody, status: 401 },
    { name: 'push: unsigned', path: '/v1/activity', headers: json, body: pushBody, status: 401 },
    { name: 'push: signed empty body', path: '/v1/activity', headers: signed(''), body: '', status: 400 },
    { name: 'push: signed null', path: '/v1/activity', headers: signed('null'), body: 'null', status: 400 },
    { name: 'push: signed event without actions is ignored', path: '/v1/activity', headers: signed('{"type":"actions","session_id":"x","actions":[]}'), body: '{"type":"actions","session_id":"x","actions":[]}', status: 202 },
    { name: 'push: with a query string', path: '/v1/activity?x=1', headers: signed(pushBody), body: pushBody, status: 202 },
    { name: 'posthog: plain secret', path: '/v1/activity/posthog', headers: { ...json, 'x-posthog-secret': POSTHOG_SECRET }, body: posthogBody, status: 202 },
    { name: 'posthog: signed body', path: '/v1/activity/posthog', headers: { ...json, 'x-posthog-secret': `sha256=${hmacSha256Hex(POSTHOG_SECRET, posthogBody)}` }, body: posthogBody, status: 202 },
    { name: 'posthog: wrong secret', path: '/v1/activity/posthog', headers: { ...json, 'x-posthog-secret': 'nope' }, body: posthogBody, status: 401 },
    { name: 'posthog: not an event', path: '/v1/activity/posthog', headers: { ...json, 'x-posthog-secret': POSTHOG_SECRET }, body: '"hello"', status: 400 },
  ];

  async function send(app: TestApp, c: Case): Promise<{ status: number; body: unknown; requestId: string | null; contentType: string | null }> {
    const body = typeof c.body === 'function' ? c.body() : c.body;
    const res = await fetch(`${app.url}${c.path}`, { method: c.method ?? 'POST', headers: c.headers, body, ...(typeof c.body === 'function' ? { duplex: 'half' } : {}) } as RequestInit);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id'), contentType: res.headers.get('content-type') };
  }

  it.each(CASES)('$name → $status from both', async (c) => {
    const [a, b] = [await send(lane, c), await send(express, c)];
    expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
    expect(a.status).toBe(c.status);
    expect(a.requestId).toBeTruthy();
    if (a.status !== 404) expect(a.contentType).toBe(b.contentType);
  });

  it('the lane served the hot routes, and the FAST_LANE=false app never used it', async () => {
    const laneMetrics = await (await fetch(`${lane.url}/metrics`)).text();
    const served = (route: string) => Number(new RegExp(`http_fast_lane_requests_total\\{route="${route.replace(/\//g, '\\/')}"\\} (\\d+)`).exec(laneMetrics)?.[1] ?? 0);
    expect(served('/crisp/hooks')).toBeGreaterThan(10);
    expect(served('/v1/activity')).toBeGreaterThan(3);
    expect(served('/v1/activity/posthog')).toBeGreaterThan(2);
    // Both lanes feed the same latency histogram, with the same route labels.
    expect(laneMetrics).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/crisp\/hooks",status="200"\} \d+/);
    const expressMetrics = await (await fetch(`${express.url}/metrics`)).text();
    expect(expressMetrics).not.toMatch(/http_fast_lane_requests_total\{/);
    expect(expressMetrics).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/crisp\/hooks",status="200"\} \d+/);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const given = await fetch(`${lane.url}/crisp/hooks?key=hook`, { method: 'POST', headers: { ...json, 'x-request-id': 'trace-42' }, body: hook() });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    const unsafe = await fetch(`${lane.url}/crisp/hooks?key=hook`, { method: 'POST', headers: { ...json, 'x-request-id': `${'x'.repeat(200)} <script>` }, body: hook() });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });

  it('keeps a keep-alive connection usable after a refused oversized body', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await fetch(`${lane.url}/crisp/hooks?key=hook`, { method: 'POST', headers: json, body: hook({ pad: 'x'.repeat(9_000) }) })).status).toBe(413);
      expect((await fetch(`${lane.url}/crisp/hooks?key=hook`, { method: 'POST', headers: json, body: hook() })).status).toBe(200);
    }
  });
});
