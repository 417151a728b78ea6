import { TEST_REDIS_URL, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../../../test/support/redis';
import { runProactiveStateContract } from '../../engine/state/proactive-state.contract';
import { RedisProactiveState } from './redis.proactive-state';

beforeAll(requireRedis);

runProactiveStateContract('redis', () => new RedisProactiveState({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('pro') } }));

describe('RedisProactiveState (Redis specifics)', () => {
  it('two instances on one prefix share slots, as replicas do', async () => {
    const prefix = testKeyPrefix('pro');
    const a = new RedisProactiveState({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix } });
    const b = new RedisProactiveState({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix } });
    try {
      const got = await Promise.all([a.tryAcquire('cap', 1, 300, 1_000), b.tryAcquire('cap', 1, 300, 1_000)]);
      expect(got.filter(Boolean)).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('RedisProactiveState key expiry', () => {
  itLeavesNoKeyWithoutExpiry('pro');
});
