import { RedisConnection } from '../../redis/redis-connection';
import { RedisUnavailableError } from '../../redis/redis-errors';
import { TEST_REDIS_URL, freePort, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../../test/support/redis';
import type { Action, ActionsEvent } from '../activity.types';
import { RedisSessionStore } from './redis.session-store';
import { REFRESH_MS } from './redis.session-store.lua';
import { runSessionStoreContract } from './session-store.contract';
import type { SessionStoreOptions } from './session-store.port';

beforeAll(requireRedis);

runSessionStoreContract('redis', (opts) => new RedisSessionStore({ ...opts, connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('ss') } }));

describe('RedisSessionStore (Redis specifics)', () => {
  const base: SessionStoreOptions = {
    lookbackSeconds: 3_600, maxActions: 10_000, maxSessions: 1_000, maxSessionsPerUser: 20, maxUsers: 1_000, sessionTtlSeconds: 86_400,
  };
  const act = (title: string): Action => ({ index: 0, type: 'click', title, description: '', canonicalUrl: '/', rawUrl: '', timestampStart: 0, timestampEnd: 0 });
  const evt = (over: Partial<ActionsEvent> & { titles: string[] }): ActionsEvent => ({
    type: 'actions', productId: 'p', sessionId: 's', userId: 'u', actions: over.titles.map(act), count: over.titles.length, forwardedAt: 0, source: 'test', ...over,
  });
  const stores: RedisSessionStore[] = [];
  const conns: RedisConnection[] = [];
  const replicas = (n: number, over: Partial<SessionStoreOptions> = {}) => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('ss') });
    conns.push(conn);
    const made = Array.from({ length: n }, () => new RedisSessionStore({ ...base, ...over, connection: { url: TEST_REDIS_URL, keyPrefix: conn.keyPrefix } }));
    stores.push(...made);
    return { conn, stores: made };
  };
  const scanCount = async (conn: RedisConnection, pattern: string) => {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await conn.client.scan(cursor, 'MATCH', conn.keyPrefix + pattern, 'COUNT', 1_000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  };
  afterEach(async () => {
    while (stores.length) await stores.pop()!.close();
    while (conns.length) await conns.pop()!.close();
  });

  it('appends from several replicas to one session get distinct, gap-free seqs', async () => {
    const { stores: [a, b, c] } = replicas(3);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => [a, b, c][i % 3].appendActions(evt({ titles: [`t${i}-1`, `t${i}-2`] }))),
    );
    const seqs = results.flatMap((r) => (r.stored ? [r.firstSeq, r.lastSeq] : [])).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    const ctx = await b.getSessionContext({ productId: 'p', sessionId: 's' });
    expect(ctx!.actions.map((x) => x.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('appends made in one turn go to Redis as one script call, each answered with its own result in order', async () => {
    const { conn, stores: [store] } = replicas(1);
    const calls = async () => {
      const info = await conn.client.info('commandstats');
      return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0) + Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    await store.appendActions(evt({ sessionId: 'warm', titles: ['w'] }));
    const before = await calls();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.appendActions(evt({ sessionId: `s${i % 4}`, userId: `u${i % 4}`, titles: [`t${i}`] }))),
    );
    const used = (await calls()) - before;
    // Other suites may share this Redis: a few foreign calls are tolerated, one call per append is not.
    expect(used).toBeLessThan(10);
    // Per session, in the order the appends were made.
    for (let s = 0; s < 4; s++) {
      const mine = results.filter((_, i) => i % 4 === s);
      expect(mine.map((r) => (r.stored ? r.firstSeq : -1))).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      expect(mine.every((r) => r.stored && r.userId === `u${s}`)).toBe(true);
      const ctx = await store.getSessionContext({ productId: 'p', sessionId: `s${s}` });
      expect(ctx!.actions.map((a) => a.title)).toEqual(Array.from({ length: 10 }, (_, i) => `t${i * 4 + s}`));
    }
  });

  it('a reader on another replica never sees a summary with its actions still there, or a gap', async () => {
    const { stores: [writer, summarizer, reader] } = replicas(3);
    const scope = { productId: 'p', sessionId: 's' };
    await writer.appendActions(evt({ titles: ['first'] }));
    let stop = false;
    const violations: string[] = [];
    const appending = (async () => {
      for (let i = 0; i < 300; i++) await writer.appendActions(evt({ titles: [`a${i}`, `b${i}`] }));
      stop = true;
    })();
    const summarising = (async () => {
      while (!stop) {
        const read = await summarizer.getSessionContext(scope);
        const last = read!.actions.at(-1)?.seq ?? 0;
        await summarizer.applySummary(scope, { text: `through ${last}`, coversThroughSeq: last, generation: read!.generation, expectedRevision: read!.summaryRevision });
      }
    })();
    let reads = 0;
    const reading = (async () => {
      while (!stop) {
        const ctx = (await reader.getUserActivity('u'))!.sessions[0];
        reads++;
        const covers = ctx.summary?.coversThroughSeq ?? 0;
        const seqs = ctx.actions.map((x) => x.seq);
        if (seqs.some((s) => s <= covers)) violations.push(`covered action visible: covers ${covers}, seqs ${seqs[0]}…`);
        if (seqs.length > 0 && seqs[0] !== covers + 1) violations.push(`gap: covers ${covers}, first ${seqs[0]}`);
        if (seqs.some((s, i) => i > 0 && s !== seqs[i - 1] + 1)) violations.push('gap inside the actions');
      }
    })();
    await Promise.all([appending, summarising, reading]);
    expect(reads).toBeGreaterThan(0);
    expect(violations).toEqual([]);
    const final = await reader.getSessionContext(scope);
    expect(final!.summaryRevision).toBeGreaterThan(0);
  });

  it('stays within MAX_SESSIONS and MAX_USERS in Redis itself, whatever the load', async () => {
    const { conn, stores: [s] } = replicas(1, { maxActions: 5, maxSessions: 100, maxUsers: 100 });
    for (let i = 0; i < 1_500; i++) {
      const n = i < 1_300 ? i % 300 : 7;
      await s.appendActions(evt({ sessionId: `s${n}`, userId: `u${n}`, titles: ['t1', 't2', 't3'] }));
    }
    expect(await s.stats()).toEqual({ sessionsTracked: 100, usersTracked: 100 });
    expect(await scanCount(conn, 'ss:s:*')).toBe(100);
    expect(await scanCount(conn, 'ss:a:*')).toBeLessThanOrEqual(100);
    expect(await scanCount(conn, 'ss:us:*')).toBe(100);
    expect((await s.getSessionContext({ productId: 'p', sessionId: 's7' }))!.actions.length).toBe(5);
  });

  it('every session key expires after SESSION_TTL_SECONDS (plus the backstop slack and the refresh interval) in Redis too', async () => {
    const { conn, stores: [s] } = replicas(1, { sessionTtlSeconds: 600, lookbackSeconds: 300 });
    const ttls = async () => Promise.all(['ss:s:p:s', 'ss:a:p:s', 'ss:us:u', 'ss:u:u'].map((k) => conn.client.pttl(conn.keyPrefix + k)));
    await s.appendActions(evt({ email: 'a@example.com', titles: ['x'] }));
    // A second write within REFRESH_MS leaves the expiries as the first one armed them.
    await s.appendActions(evt({ titles: ['y'] }));
    const [meta, actions, userIndex, user] = await ttls();
    for (const pttl of [meta, actions]) {
      expect(pttl).toBeGreaterThan(600_000 + 60_000);
      expect(pttl).toBeLessThanOrEqual(600_000 + 60_000 + REFRESH_MS);
    }
    for (const pttl of [userIndex, user]) expect(pttl).toBeGreaterThan(600_000 + 60_000);
    expect(await conn.client.pttl(conn.keyPrefix + 'ss:x:a@example.com')).toBeGreaterThan(600_000);
  });

  it('gives every key an append creates its expiry at once, also between refreshes', async () => {
    const clock = 1_800_000_000_000;
    const { conn, stores: [s] } = replicas(1, { now: () => clock, maxUsers: 2, maxSessions: 3 });
    const withoutExpiry = async () => {
      const missing: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await conn.client.scan(cursor, 'MATCH', conn.keyPrefix + 'ss:*', 'COUNT', 1_000);
        cursor = next;
        for (const k of keys) if ((await conn.client.pttl(k)) < 0) missing.push(k.slice(conn.keyPrefix.length));
      } while (cursor !== '0');
      return missing;
    };
    // The clock stands still: no append here is due for a refresh except a session's first.
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['anonymous session', () => s.appendActions(evt({ sessionId: 'anon', userId: undefined, titles: ['a'] }))],
      ['it gets its user and email', () => s.appendActions(evt({ sessionId: 'anon', userId: 'late', email: 'late@example.com', titles: ['b'] }))],
      ['a summary empties its actions', () => s.applySummary({ productId: 'p', sessionId: 'anon' }, { text: 'all of it', replaces: 2 })],
      ['actions pushed again', () => s.appendActions(evt({ sessionId: 'anon', userId: 'late', titles: ['c'] }))],
      ['taken over by other users, evicted beyond MAX_USERS', async () => {
        for (const u of ['v1', 'v2', 'v3']) await s.appendActions(evt({ sessionId: 'anon', userId: u, titles: [u] }));
      }],
      ['the first user back', () => s.appendActions(evt({ sessionId: 'anon', userId: 'late', titles: ['d'] }))],
      ['sessions evicted beyond MAX_SESSIONS, then written again', async () => {
        for (const id of ['e1', 'e2', 'e3', 'anon']) await s.appendActions(evt({ sessionId: id, userId: 'late', titles: [id] }));
      }],
    ];
    for (const [step, run] of steps) {
      await run();
      expect({ step, missing: await withoutExpiry() }).toEqual({ step, missing: [] });
    }
    expect((await s.getSessionContext({ productId: 'p', sessionId: 'anon' }))!.actions.map((x) => x.title)).toEqual(['anon']);
  });

  it('works under a key prefix with quotes, backslashes and non-ASCII (written into the append script)', async () => {
    const prefix = `${testKeyPrefix('ss')}q'"\\é]]--[[:`;
    const s = new RedisSessionStore({ ...base, connection: { url: TEST_REDIS_URL, keyPrefix: prefix } });
    stores.push(s);
    await s.appendActions(evt({ email: 'q@example.com', titles: ['one'] }));
    expect((await s.getSessionContext({ productId: 'p', sessionId: 's' }))!.actions.map((x) => x.title)).toEqual(['one']);
    expect(await s.findUserByEmail('q@example.com')).toBe('u');
    expect(await s.stats()).toEqual({ sessionsTracked: 1, usersTracked: 1 });
  });

  it('product and session ids containing the separator never collide', async () => {
    const { stores: [s] } = replicas(1);
    await s.appendActions(evt({ productId: 'a:b', sessionId: 'c', userId: 'u1', titles: ['one'] }));
    await s.appendActions(evt({ productId: 'a', sessionId: 'b:c', userId: 'u2', titles: ['two'] }));
    expect((await s.getSessionContext({ productId: 'a:b', sessionId: 'c' }))!.actions.map((x) => x.title)).toEqual(['one']);
    expect((await s.getSessionContext({ productId: 'a', sessionId: 'b:c' }))!.actions.map((x) => x.title)).toEqual(['two']);
    expect(await s.getRecentSessions('u2')).toEqual([{ productId: 'a', sessionId: 'b:c', lastSeenAt: expect.any(Number) }]);
    expect((await s.getUserActivity('u1', { productId: 'a' }))!.sessions).toEqual([]);
  });

  it('keeps every action field, occurredAt included, and finds non-ASCII emails case-insensitively', async () => {
    let clock = 1_800_000_000_000;
    const { stores: [s] } = replicas(1, { now: () => clock });
    const full: Action = {
      index: 3, type: 'submit', title: 'Saved "plan" ✓, [twice]', description: 'd,"x"]', canonicalUrl: '/x', rawUrl: 'https://x/y?z=1',
      timestampStart: 1_799_999_990.5, timestampEnd: 1_799_999_991, sessionId: 's', userId: 'u', email: 'É@x.io',
    };
    const future: Action = { ...full, index: 4, timestampStart: 1_900_000_000_000 };
    const none: Action = { ...full, index: 5, timestampStart: 0, sessionId: undefined, userId: undefined, email: undefined };
    await s.appendActions({ ...evt({ titles: [] }), actions: [full, future, none], count: 3, email: 'Élodie@Example.com' });
    clock += 5;
    const [a, b, c] = (await s.getSessionContext({ productId: 'p', sessionId: 's' }))!.actions;
    // Seconds are taken for seconds, a claimed future is clamped to now, no timestamp means now.
    expect(a).toEqual({ ...full, seq: 1, receivedAt: 1_800_000_000_000, occurredAt: 1_799_999_990_500 });
    expect(b).toEqual({ ...future, seq: 2, receivedAt: 1_800_000_000_000, occurredAt: 1_800_000_000_000 });
    expect(c).toEqual({ ...none, seq: 3, receivedAt: 1_800_000_000_000, occurredAt: 1_800_000_000_000 });
    expect(await s.findUserByEmail('élodie@example.com')).toBe('u');
  });

  it('measures the lookback window on occurredAt, also for late batches that arrive out of order', async () => {
    let clock = 1_800_000_000_000;
    const { conn, stores: [s] } = replicas(1, { now: () => clock, lookbackSeconds: 60 });
    const scope = { productId: 'p', sessionId: 's' };
    const at = (title: string, ms: number): Action => ({ ...act(title), timestampStart: ms });
    const push = (...actions: Action[]) => s.appendActions({ ...evt({ titles: [] }), actions, count: actions.length });
    await push(at('recent-1', clock));
    // A late batch: one action from before the window (dropped on arrival), one from 30 s ago.
    const late = await push(at('too-old', clock - 90_000), at('half-old', clock - 30_000));
    expect(late).toMatchObject({ firstSeq: 2, lastSeq: 3, unsummarised: 2 });
    await push(at('recent-2', clock));
    const titles = async () => (await s.getSessionContext(scope))!.actions.map((x) => x.title);
    expect(await titles()).toEqual(['recent-1', 'half-old', 'recent-2']);
    // 40 s on, `half-old` (in the middle of the list) is past the window: reads leave it out at once …
    clock += 40_000;
    expect(await titles()).toEqual(['recent-1', 'recent-2']);
    expect(await conn.client.llen(conn.keyPrefix + 'ss:a:p:s')).toBe(3);
    // … and the next append removes it from Redis.
    expect(await push(at('recent-3', clock))).toMatchObject({ unsummarised: 3 });
    expect(await titles()).toEqual(['recent-1', 'recent-2', 'recent-3']);
    expect(await conn.client.llen(conn.keyPrefix + 'ss:a:p:s')).toBe(3);
  });

  it('holds the byte budget (maxBytes) across sessions, evicting the least recently written', async () => {
    const budget = 60_000;
    const { conn, stores: [a, b] } = replicas(2, { maxBytes: budget, maxActions: 5 });
    const big = (title: string): Action => ({ ...act(title), description: 'é'.repeat(1_000) });
    const sizes = async () => {
      const all = await conn.client.hgetall(conn.keyPrefix + 'ss:sizes');
      const { total, ...perSession } = all;
      return { total: Number(total), sum: Object.values(perSession).reduce((n, v) => n + Number(v), 0), tracked: Object.keys(perSession).length };
    };
    for (let i = 0; i < 60; i++) {
      const store = i % 2 ? a : b;
      await store.appendActions({ ...evt({ sessionId: `s${i}`, userId: `u${i}`, titles: [] }), actions: [big(`t${i}`), big(`t${i}b`)], count: 2 });
      if (i % 7 === 0) await store.applySummary({ productId: 'p', sessionId: `s${i}` }, { text: 'x'.repeat(500), replaces: 1 });
      if (i % 11 === 0) await store.appendActions(evt({ sessionId: `s${i}`, userId: `other${i}`, titles: ['takeover'] }));
      const { total, sum } = await sizes();
      expect(total).toBe(sum);
      expect(total).toBeLessThanOrEqual(budget);
    }
    const { tracked } = await sizes();
    expect((await a.stats()).sessionsTracked).toBe(tracked);
    expect(tracked).toBeLessThan(60);
    expect(tracked).toBeGreaterThan(5);
    expect(await a.getSessionContext({ productId: 'p', sessionId: 's0' })).toBeNull();
    expect((await b.getSessionContext({ productId: 'p', sessionId: 's59' }))!.actions.map((x) => x.title)).toEqual(['t59', 't59b']);
    expect(await scanCount(conn, 'ss:s:*')).toBe(tracked);
  });

  it('keeps a session that alone exceeds the byte budget (the newest write is never evicted)', async () => {
    const { stores: [s] } = replicas(1, { maxBytes: 1_000 });
    await s.appendActions(evt({ sessionId: 'first', titles: ['a'] }));
    await s.appendActions({ ...evt({ sessionId: 'huge', titles: [] }), actions: [{ ...act('h'), description: 'x'.repeat(5_000) }], count: 1 });
    expect(await s.getSessionContext({ productId: 'p', sessionId: 'first' })).toBeNull();
    expect((await s.getSessionContext({ productId: 'p', sessionId: 'huge' }))!.actions).toHaveLength(1);
    expect((await s.stats()).sessionsTracked).toBe(1);
  });

  it('rejects with RedisUnavailableError when Redis cannot be reached', async () => {
    const s = new RedisSessionStore({ ...base, connection: { url: `redis://127.0.0.1:${await freePort()}` } });
    stores.push(s);
    await expect(s.appendActions(evt({ titles: ['x'] }))).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(s.getUserActivity('u')).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(s.ping()).rejects.toBeInstanceOf(RedisUnavailableError);
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisSessionStore key expiry', () => {
  itLeavesNoKeyWithoutExpiry('ss');
});
