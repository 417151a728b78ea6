import { RedisConnection } from '../redis/redis-connection';
import { RedisUnavailableError } from '../redis/redis-errors';
import { TEST_REDIS_URL, freePort, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { runDeadLetterContract } from './dead-letter.contract';
import type { DeadLetter } from './dead-letter.port';
import { DeadLetterTooLargeError, RedisDeadLetterStore } from './redis.dead-letter.store';

beforeAll(requireRedis);

runDeadLetterContract('redis', (max) => new RedisDeadLetterStore({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('dl') }, max }));

describe('RedisDeadLetterStore (Redis specifics)', () => {
  const stores: RedisDeadLetterStore[] = [];
  const conns: RedisConnection[] = [];
  let n = 0;
  const entry = (over: Partial<DeadLetter> = {}): DeadLetter => ({
    id: `crisp:session_${++n}:fp`,
    name: 'channel.reply',
    payload: { channel: 'crisp', conversationId: `session_${n}`, prepared: { text: 'réponse ✓', fallback: false } },
    reason: 'Crisp send_message failed: HTTP 503',
    attempts: 21,
    failedAt: 1_800_000_000_000 + n,
    labels: { channel: 'crisp', conversationId: `session_${n}` },
    ...over,
  });
  /** Stores on one prefix, as replicas of one deployment would be. */
  const replicas = (count: number, max = 100, over: { maxEntryBytes?: number; retentionSeconds?: number } = {}) => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('dl') });
    conns.push(conn);
    const made = Array.from({ length: count }, () => new RedisDeadLetterStore({ connection: { url: TEST_REDIS_URL, keyPrefix: conn.keyPrefix }, max, ...over }));
    stores.push(...made);
    return { conn, stores: made };
  };
  afterEach(async () => {
    while (stores.length) await stores.pop()!.close();
    while (conns.length) await conns.pop()!.close();
  });

  it('a dead letter written by one replica is listed and taken from another, and outlives the store that wrote it', async () => {
    const { stores: [a, b] } = replicas(2);
    const e = entry();
    await a.add(e);
    await a.close();
    expect(await b.list(10)).toEqual([e]);
    expect(await b.take(e.id)).toEqual(e);
    expect(await b.stats()).toEqual({ count: 0, dropped: 0 });
  });

  it('take is atomic: of replicas racing for one id, exactly one gets it', async () => {
    const { stores } = replicas(4);
    const e = entry();
    await stores[0].add(e);
    const got = await Promise.all(stores.flatMap((s) => [s.take(e.id), s.take(e.id)]));
    expect(got.filter(Boolean)).toEqual([e]);
  });

  it('stays within max under concurrent adds from several replicas, counting every entry dropped', async () => {
    const { stores } = replicas(3, 10);
    const all = Array.from({ length: 60 }, () => entry());
    await Promise.all(all.map((e, i) => stores[i % 3].add(e)));
    expect(await stores[1].stats()).toEqual({ count: 10, dropped: 50 });
    expect(await stores[2].list(100)).toHaveLength(10);
  });

  it('re-adding an id replaces the entry and makes it the newest, without growing or dropping', async () => {
    const { stores: [s] } = replicas(1, 3);
    const [a, b, c] = [entry(), entry(), entry()];
    for (const e of [a, b, c]) await s.add(e);
    const again = { ...a, reason: 'failed again', attempts: 42 };
    await s.add(again);
    expect((await s.list(10)).map((e) => [e.id, e.reason])).toEqual([[a.id, 'failed again'], [c.id, c.reason], [b.id, b.reason]]);
    expect(await s.stats()).toEqual({ count: 3, dropped: 0 });
  });

  it('list honours its limit and a zero or negative one', async () => {
    const { stores: [s] } = replicas(1);
    for (let i = 0; i < 5; i++) await s.add(entry());
    expect(await s.list(2)).toHaveLength(2);
    expect(await s.list(0)).toEqual([]);
    expect(await s.list(-1)).toEqual([]);
  });

  it('lists more entries than one script call can unpack at once, newest first', async () => {
    const { stores: [s] } = replicas(1, 2_500);
    const all = Array.from({ length: 2_500 }, () => entry({ payload: undefined, labels: undefined }));
    await Promise.all(all.map((e) => s.add(e)));
    const listed = await s.list(10_000);
    expect(listed).toHaveLength(2_500);
    expect(new Set(listed.map((e) => e.id)).size).toBe(2_500);
    const { stores: [t] } = replicas(1, 2_500);
    for (const e of all.slice(0, 1_500)) await t.add(e);
    expect((await t.list(1_200)).map((e) => e.id)).toEqual(all.slice(300, 1_500).reverse().map((e) => e.id));
  });

  it('refuses an entry larger than maxEntryBytes instead of cutting its payload', async () => {
    const { stores: [s] } = replicas(1, 10, { maxEntryBytes: 1_000 });
    const err = await s.add(entry({ payload: { text: 'x'.repeat(2_000) } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadLetterTooLargeError);
    expect(await s.stats()).toEqual({ count: 0, dropped: 0 });
  });

  it('every key carries the retention TTL, refreshed by add and take', async () => {
    const { conn, stores: [s] } = replicas(1, 2, { retentionSeconds: 600 });
    for (let i = 0; i < 3; i++) await s.add(entry());
    for (const k of ['e', 'i', 'm']) {
      const pttl = await conn.client.pttl(conn.key('dl', k));
      expect(pttl).toBeGreaterThan(590_000);
      expect(pttl).toBeLessThanOrEqual(600_000);
    }
  });

  it('close leaves a shared connection open', async () => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('dl') });
    conns.push(conn);
    const s = new RedisDeadLetterStore({ connection: conn, max: 5 });
    await s.add(entry());
    await s.close();
    expect(conn.client.status).toBe('ready');
    expect(await new RedisDeadLetterStore({ connection: conn, max: 5 }).stats()).toEqual({ count: 1, dropped: 0 });
  });

  it('refuses a max below 1', () => {
    expect(() => new RedisDeadLetterStore({ connection: { url: TEST_REDIS_URL }, max: 0 })).toThrow(RangeError);
  });

  it('rejects with RedisUnavailableError when Redis cannot be reached', async () => {
    const s = new RedisDeadLetterStore({ connection: { url: `redis://127.0.0.1:${await freePort()}`, connectTimeoutMs: 200 }, max: 5 });
    stores.push(s);
    await expect(s.add(entry())).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(s.stats()).rejects.toBeInstanceOf(RedisUnavailableError);
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisDeadLetterStore key expiry', () => {
  itLeavesNoKeyWithoutExpiry('dl');
});
