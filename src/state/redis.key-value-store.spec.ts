import { RedisConnection } from '../redis/redis-connection';
import { RedisUnavailableError } from '../redis/redis-errors';
import { TEST_REDIS_URL, freePort, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { runKeyValueStoreContract } from './key-value-store.contract';
import { RedisKeyValueStore } from './redis.key-value-store';

beforeAll(requireRedis);

runKeyValueStoreContract('redis', (o) => new RedisKeyValueStore({ ...o, connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('kv') } }), {
  realClock: true,
});

describe('RedisKeyValueStore (Redis specifics)', () => {
  it('two stores on one prefix see the same values and share counters (replicas)', async () => {
    const shared = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('kv') });
    const a = new RedisKeyValueStore({ connection: shared, maxValueBytes: 1_024 });
    const b = new RedisKeyValueStore({ connection: { url: TEST_REDIS_URL, keyPrefix: shared.keyPrefix }, maxValueBytes: 1_024 });
    try {
      await a.set('identity', { userId: 'u1' }, 60);
      expect(await b.get('identity')).toEqual({ userId: 'u1' });
      expect(await Promise.all([a.increment('n', 1, 60), b.increment('n', 1, 60)]).then((v) => v.sort())).toEqual([1, 2]);
      expect(await b.setIfAbsent('identity', 'other', 60)).toBe(false);
      const pttl = await shared.client.pttl(shared.key('kv', 'n'));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      await a.close();
      await b.close();
      await shared.close();
      expect(shared.client.status).toBe('end');
    }
  });

  it('a counter over a non-integer value starts again from zero, as in the memory store', async () => {
    const s = new RedisKeyValueStore({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('kv') }, maxValueBytes: 1_024 });
    try {
      await s.set('c', 'not a number', 60);
      expect(await s.increment('c', 2, 60)).toBe(2);
      expect(await s.get('c')).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('rejects with RedisUnavailableError when Redis cannot be reached', async () => {
    const s = new RedisKeyValueStore({ connection: { url: `redis://127.0.0.1:${await freePort()}`, connectTimeoutMs: 200 }, maxValueBytes: 1_024 });
    try {
      await expect(s.get('k')).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(s.ping()).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      await s.close();
    }
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisKeyValueStore key expiry', () => {
  itLeavesNoKeyWithoutExpiry('kv');
});
