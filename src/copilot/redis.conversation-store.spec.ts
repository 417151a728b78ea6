import { RedisConnection } from '../redis/redis-connection';
import { RedisUnavailableError } from '../redis/redis-errors';
import { TEST_REDIS_URL, freePort, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { runConversationStoreContract } from './conversation-store.contract';
import { RedisConversationStore } from './redis.conversation-store';

beforeAll(requireRedis);

runConversationStoreContract('redis', (o) => new RedisConversationStore({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('cv') }, maxConversations: o.maxConversations }));

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

  it('holds maxConversations for every replica together, forgetting the least recently written (turns and watermark)', async () => {
    const prefix = testKeyPrefix('cv');
    const [a, b] = [0, 1].map(() => new RedisConversationStore({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix }, maxConversations: 5 }));
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: prefix });
    try {
      for (let i = 0; i < 12; i++) {
        await (i % 2 ? a : b).appendTurns(`c${i}`, [turn(`q${i}`, i)], 10);
        await (i % 2 ? b : a).setWatermark(`c${i}`, i);
      }
      // c7..c11 are held; writing c7 again makes c8 the least recently written, so c12 evicts c8.
      await a.setWatermark('c7', 100);
      await b.appendTurns('c12', [turn('q12', 12)], 10);
      expect(await conn.client.zcard(conn.key('cv', 'lru'))).toBe(5);
      expect(await a.getTurns('c0', 10)).toEqual([]);
      expect(await b.getWatermark('c0')).toBeUndefined();
      expect(await a.getTurns('c8', 10)).toEqual([]);
      expect(await b.getWatermark('c8')).toBeUndefined();
      expect((await b.getTurns('c11', 10)).map((t) => t.text)).toEqual(['q11']);
      expect(await a.getWatermark('c7')).toBe(100);
    } finally {
      await a.close();
      await b.close();
      await conn.close();
    }
  });

  it('holds the byte budget (maxBytes), its total always the sum of what it tracks, whatever the ids', async () => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('cv') });
    const s = new RedisConversationStore({ connection: conn, maxBytes: 20_000 });
    const sizes = async () => {
      const { total, ...each } = await conn.client.hgetall(conn.key('cv', 'sizes'));
      return { total: Number(total), sum: Object.values(each).reduce((n, v) => n + Number(v), 0), count: Object.keys(each).length };
    };
    try {
      for (let i = 0; i < 40; i++) {
        const id = i === 3 ? 'total' : `conv:${i}`;
        await s.appendTurns(id, [turn('é'.repeat(800), i), turn('answer', i)], 4);
        if (i % 5 === 0) await s.appendTurns(id, [], 0);
        const { total, sum } = await sizes();
        expect(total).toBe(sum);
        expect(total).toBeLessThanOrEqual(20_000);
      }
      const { count } = await sizes();
      expect(count).toBeLessThan(40);
      expect(count).toBeGreaterThan(3);
      expect(await s.getTurns('conv:0', 10)).toEqual([]);
      expect(await s.getTurns('conv:39', 10)).toHaveLength(2);
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
