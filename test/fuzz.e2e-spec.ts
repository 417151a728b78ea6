import { join } from 'node:path';
import { isoAt } from './support/clock';
import { FakeCrispServer } from './support/fake-crisp.server';
import { readJsonFixture } from './support/fixtures';
import { startServerProcess, type ServerProcess } from './support/server-process';

/**
 * Seeded fuzzing of every endpoint that takes input: thousands of mutated bodies per
 * endpoint (wrong types, deleted fields, `__proto__` keys, control/bidi/lone-surrogate
 * strings, deep nesting, huge strings, wrong content types, broken JSON). Whatever
 * arrives, the answer is never a 5xx and no request holds the event loop: no batch of 8 costs the
 * server process more CPU time than ten times the endpoint's median batch in the same run, kept
 * between 100 and 300 ms (CPU time, so a busy machine does not fail it; relative to the median, so
 * a slow one does not either; capped, so a change that slows every body cannot raise its own bar).
 */
const SEED = 0x5eed_2026;
const PER_ENDPOINT = 2_000;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const NASTY_STRINGS = [
  '', ' ', '\u0000', '\u0007\u001b[31m', '\u202e\u2066evil\u2069', '\u200b\ufeff', 'a\ud800b', '\udc00', '\ud83d', '🙂🙃',
  '<<<ACTIVITY', 'ACTIVITY>>>', '<|im_start|>system', '[INST]', 'User message:', '${7*7}', '{{7*7}}', '../../etc/passwd',
  "'; DROP TABLE users; --", '%00', '%ud800', 'x'.repeat(5_000), 'ÿ'.repeat(300), '\\u0000', '__proto__', 'constructor', 'NaN', '-0', '1e309',
];

class Mutator {
  constructor(private readonly rand: () => number) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  value(depth = 0): Json {
    const r = this.rand();
    if (r < 0.15) return null;
    if (r < 0.25) return this.rand() < 0.5;
    if (r < 0.4) return this.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1_700_000_000]);
    if (r < 0.75 || depth > 2) return this.pick(NASTY_STRINGS);
    if (r < 0.87) return Array.from({ length: Math.floor(this.rand() * 4) }, () => this.value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(this.rand() * 4) }, (_, i) => [this.pick(['a', '__proto__', 'constructor', `k${i}`, 'toString']), this.value(depth + 1)]));
  }

  /** A mutated copy of `base`, as raw text (so it can be broken JSON too) with a content type. */
  body(base: Json): { text: string; contentType: string } {
    const kind = this.rand();
    const contentType = this.rand() < 0.1 ? this.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) : 'application/json';
    if (kind < 0.08) return { text: this.pick(['', '{', '{"a":', 'null', '[]', '"str"', '123', '{"a":1}}', '\u0000\u0001', '{"a":"\\ud800"}', '{"__proto__":{"x":1}}']), contentType };
    if (kind < 0.12) {
      const n = 40 + Math.floor(this.rand() * 3_000);
      return { text: `${'['.repeat(n)}${']'.repeat(n)}`, contentType };
    }
    if (kind < 0.13) {
      // Wide unknown objects: the shape that once spent seconds in class-transformer.
      const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
      return { text: JSON.stringify({ ...(base as object), [this.pick(['extra', 'metadata', 'data'])]: wide }), contentType };
    }
    const copy = structuredClone(base) as Json;
    const mutations = 1 + Math.floor(this.rand() * 4);
    for (let i = 0; i < mutations; i++) this.mutate(copy);
    let text = JSON.stringify(copy);
    // JSON.stringify escapes lone surrogates; put some back raw-escaped the way a hostile client would.
    if (this.rand() < 0.1) text = text.replace(/"([^"]{0,3})"/, '"$1\\ud800"');
    if (this.rand() < 0.05) text = text.slice(0, Math.floor(text.length * this.rand()));
    return { text, contentType };
  }

  private mutate(node: Json): void {
    const containers: Array<Json[] | { [k: string]: Json }> = [];
    const walk = (n: Json) => {
      if (n && typeof n === 'object') {
        containers.push(n);
        for (const v of Array.isArray(n) ? n : Object.values(n)) walk(v);
      }
    };
    walk(node);
    if (containers.length === 0) return;
    const target = this.pick(containers);
    const keys = Array.isArray(target) ? target.map((_, i) => i) : Object.keys(target);
    const r = this.rand();
    if (keys.length > 0 && r < 0.3) {
      const k = this.pick(keys as Array<string | number>);
      if (Array.isArray(target)) target.splice(Number(k), 1);
      else delete target[k as string];
    } else if (keys.length > 0 && r < 0.75) {
      const k = this.pick(keys as Array<string | number>);
      (target as Record<string | number, Json>)[k] = this.value();
    } else if (!Array.isArray(target)) {
      target[this.pick(['__proto__', 'extra', 'constructor', 'prototype', '\u202e', 'a\ud800'])] = this.value();
    } else {
      target.push(this.value());
    }
  }
}

describe(`fuzzing (seed ${SEED.toString(16)}, ${PER_ENDPOINT} bodies per endpoint)`, () => {
  const crisp = new FakeCrispServer({ record: false });
  let t: ServerProcess;
  const fixture = readJsonFixture('crisp', 'webhook_message_send.quickstart.json');

  beforeAll(async () => {
    await crisp.start();
    // Its own process, so what is measured is the server's CPU alone, not the test runner's.
    t = await startServerProcess({
      CHANNELS: 'rest,rasa,crisp', SOURCES: 'push,posthog', RATE_LIMIT_PER_MINUTE: '1000000', SUMMARIZER: 'none', LLM_PROVIDER: 'offline',
      CRISP_WEBSITE_ID: fixture.website_id, CRISP_TOKEN_IDENTIFIER: 'i', CRISP_TOKEN_KEY: 'k', CRISP_WEBHOOK_SECRET: 'hook', CRISP_API_URL: crisp.url,
      // The knowledge base on: chat bodies also run through the documentation lookup, and /v1/kb/search is fuzzed.
      KB_DIR: join(__dirname, '..', 'examples', 'kb'), KB_WATCH: 'false',
    });
  }, 30_000);
  afterAll(async () => {
    await t.stop();
    await crisp.stop();
  });

  const ENDPOINTS: Array<{ name: string; method: 'POST' | 'GET'; path: string; base: Json }> = [
    { name: 'POST /v1/chat', method: 'POST', path: '/v1/chat', base: { userId: 'u1', message: 'How do I invite someone?', conversationId: 'c1', email: 'jane@example.com', productId: 'p', sessionId: 's' } },
    {
      name: 'POST /v1/activity',
      method: 'POST',
      path: '/v1/activity',
      base: { type: 'actions', product_id: 'p', session_id: 's1', user_id: 'u1', email: 'jane@example.com', actions: [{ index: 0, type: 'click', title: 'Clicked', canonical_url: '/x', timestamp_start: Math.floor(Date.now() / 1000) }], count: 1 },
    },
    {
      name: 'POST /v1/activity/posthog',
      method: 'POST',
      path: '/v1/activity/posthog',
      base: { batch: [{ event: '$autocapture', event_type: 'click', session_id: 'ph1', distinct_id: 'u1', current_url: 'https://a.example/#/x/1', elements_chain: 'button:text="Go"attr_id="go"', timestamp: isoAt(1), uuid: 'e1' }] },
    },
    { name: 'POST /crisp/hooks', method: 'POST', path: '/crisp/hooks?key=hook', base: fixture },
    {
      name: 'POST /rasa/webhook',
      method: 'POST',
      path: '/rasa/webhook',
      base: { next_action: 'action_ask_llm', sender_id: 's', tracker: { sender_id: 's', latest_message: { text: 'hi', metadata: { customData: { userId: 'u1', userToken: 'ab' } } } }, domain: {}, version: '3.6.0' },
    },
  ];

  /** A URL component: a nasty value percent-encoded (lone surrogates as raw UTF-8 garbage), or broken escapes as sent. */
  const part = (m: Mutator): string => {
    if (m.pick([0, 1, 2, 3]) === 0) return m.pick(['%', '%zz', '%ED%A0%80', '%C0%AF', '%00', '..%2F..%2F', '%FF%FE', '%E2%80%AE']);
    const v = m.value();
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return encodeURIComponent(text.toWellFormed());
  };
  const QUERY_ENDPOINTS = [
    { name: 'GET /reply/:userId', path: (m: Mutator) => `/reply/${part(m)}?query=${part(m)}&intent=${part(m)}&query=${m.pick(['', 'again'])}` },
    { name: 'GET /v1/users/:id/context', path: (m: Mutator) => `/v1/users/${part(m)}/context?productId=${part(m)}` },
    {
      name: 'GET /v1/kb/search',
      path: (m: Mutator) =>
        `/v1/kb/search?q=${part(m)}&${m.pick(['page', 'userId', 'pageTitle', 'lastAction'])}=${part(m)}&${m.pick(['topK', 'maxChars', 'userId', 'q'])}=${part(m)}`,
    },
  ];

  /**
   * Requests go 8 at a time; the CPU time the server process spends on each batch bounds
   * how long any one request held its event loop. CPU time, unlike wall-clock delay, does
   * not grow when other test workers compete for the cores.
   */
  async function run(send: (i: number) => Promise<Response>): Promise<{ statuses: Map<number, number>; fiveHundreds: string[]; worstBatchCpuMs: number; boundMs: number }> {
    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    let worstBatchCpuMs = 0;
    const costs: number[] = [];
    const sendBatch = async (i: number) => {
      const before = t.cpuMs();
      const batch = await Promise.all(Array.from({ length: Math.min(8, PER_ENDPOINT - i) }, (_, j) => send(i + j).then(async (r) => ({ r, text: await r.text() }))));
      return { batch, cpuMs: t.cpuMs() - before };
    };
    for (let i = 0; i < PER_ENDPOINT; i += 8) {
      const { batch, cpuMs } = await sendBatch(i);
      // A body that is costly to refuse costs the same every time; a GC pause or late JIT work
      // does not repeat. So a batch over the bound is sent once more and the cheaper run counts.
      const cost = cpuMs >= 100 ? Math.min(cpuMs, (await sendBatch(i)).cpuMs) : cpuMs;
      // The first batch pays for lazy compilation of the code paths; it is not the requests' cost.
      if (i > 0) {
        worstBatchCpuMs = Math.max(worstBatchCpuMs, cost);
        costs.push(cost);
      }
      for (const { r, text } of batch) {
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status >= 500) fiveHundreds.push(`${r.status} ${text.slice(0, 200)}`);
      }
    }
    const median = [...costs].sort((a, b) => a - b)[Math.floor(costs.length / 2)] ?? 0;
    return { statuses, fiveHundreds, worstBatchCpuMs, boundMs: Math.min(300, Math.max(100, 10 * median)) };
  }

  it.each(ENDPOINTS)('$name: never a 5xx, never a blocked event loop', async ({ method, path, base }) => {
    const m = new Mutator(prng(SEED ^ path.length));
    const bodies = Array.from({ length: PER_ENDPOINT }, () => m.body(base));
    const result = await run((i) =>
      fetch(`${t.url}${path}`, { method, headers: bodies[i].contentType ? { 'content-type': bodies[i].contentType } : {}, body: bodies[i].text }),
    );
    expect(result.fiveHundreds).toEqual([]);
    expect(result.worstBatchCpuMs).toBeLessThan(result.boundMs);
    expect([...result.statuses.keys()].some((s) => s < 300)).toBe(true);
  }, 120_000);

  it.each(QUERY_ENDPOINTS)('$name: never a 5xx for any path or query', async ({ path }) => {
    const m = new Mutator(prng(SEED + 7));
    const result = await run(() => fetch(`${t.url}${path(m)}`));
    expect(result.fiveHundreds).toEqual([]);
    expect(result.worstBatchCpuMs).toBeLessThan(result.boundMs);
  }, 120_000);
});
