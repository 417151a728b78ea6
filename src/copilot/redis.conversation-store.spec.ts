import { RedisConnection } from '../redis/redis-connection';
import { RedisUnavailableError } from '../redis/redis-errors';
import { TEST_REDIS_URL, freePort, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { runConversationStoreContract } from './conversation-store.contract';
import { RedisConversationStore } from './redis.conversation-store';

beforeAll(requireRedis);

runConversationStoreContract('redis', () => new RedisConversationStore({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('cv') } }));

describe('RedisConversationStore (Redis specifics)', () => {
  const turn = (text: string, at: number) => ({ role: 'user' as const, text, at });

  it('replicas on one prefix share turns, watermark and claims', async () => {
    const prefix = testKeyPrefix('cv');
    const a = new RedisConversationStore({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix } });
    const b = new RedisConversationStore({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix } });
    try {
      await a.appendTurns('c1', [turn('from a', 1)], 10);
      await b.appendTurns('c1', [turn('from b', 2)], 10);
      expect((await a.getTurns('c1', 10)).map((t) => t.text)).toEqual(['from a', 'from b']);
      await Promise.all([a.setWatermark('c1', 500), b.setWatermark('c1', 300)]);
      expect(await b.getWatermark('c1')).toBe(500);
      const claims = await Promise.all([a.claimOnce('hook-1', 60), b.claimOnce('hook-1', 60)]);
      expect(claims.filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('conversations expire after the idle time, refreshed by every write', async () => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('cv') });
    const s = new RedisConversationStore({ connection: conn, idleTtlSeconds: 3_600 });
    try {
      await s.appendTurns('c', [turn('q', 1)], 10);
      await s.setWatermark('c', 10);
      for (const k of [conn.key('cv', 't', 'c'), conn.key('cv', 'w', 'c')]) {
        const pttl = await conn.client.pttl(k);
        expect(pttl).toBeGreaterThan(3_500_000);
        expect(pttl).toBeLessThanOrEqual(3_600_000);
      }
      await s.appendTurns('c', [], 0);
      expect(await s.getTurns('c', 10)).toEqual([]);
    } finally {
      await s.close();
      await conn.close();
    }
  });

  it('rejects with RedisUnavailableError when Redis cannot be reached', async () => {
    const s = new RedisConversationStore({ connection: { url: `redis://127.0.0.1:${await freePort()}` } });
    try {
      await expect(s.claimOnce('k', 60)).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(s.appendTurns('c', [turn('q', 1)], 10)).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      await s.close();
    }
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisConversationStore key expiry', () => {
  itLeavesNoKeyWithoutExpiry('cv');
});
