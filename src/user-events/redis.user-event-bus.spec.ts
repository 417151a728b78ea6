import { TEST_REDIS_URL, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { RedisConnection } from '../redis/redis-connection';
import { RedisUserEventBus } from './redis.user-event-bus';
import { runUserEventBusContract } from './user-event-bus.contract';
import type { UserEvent } from './user-event-bus.port';

beforeAll(requireRedis);

runUserEventBusContract('redis', (o) => new RedisUserEventBus({ ...o, connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('ue') } }), { realClock: true });

describe('RedisUserEventBus (Redis specifics)', () => {
  const opts = { maxEventsPerUser: 20, retentionMs: 60_000, maxEventBytes: 4_096 };

  it('an event published on one replica reaches a listener on another, and resumes there', async () => {
    const shared = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('ue') });
    const web = new RedisUserEventBus({ ...opts, connection: shared });
    const worker = new RedisUserEventBus({ ...opts, connection: { url: TEST_REDIS_URL, keyPrefix: shared.keyPrefix } });
    try {
      const seen: UserEvent[] = [];
      const sub = await web.subscribe('u-1', undefined, (e) => seen.push(e));
      const sent = await worker.publish({ userId: 'u-1' }, 'nudge', { message: 'hello' });
      for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual([sent]);
      await sub.close();
      const later = await worker.publish({ userId: 'u-1' }, 'nudge', { message: 'while away' });
      const again = await web.subscribe('u-1', sent.id, () => undefined);
      expect(again.missed).toEqual([later]);
      await again.close();
      const pttl = await shared.client.pttl(shared.key('ue', 'u-1'));
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      await web.close();
      await worker.close();
      await shared.close();
    }
  });

  itLeavesNoKeyWithoutExpiry('ue');
});
