import { TEST_REDIS_URL, requireRedis, testKeyPrefix } from '../../../../test/support/redis';
import { runActiveSessionsContract } from './active-sessions.contract';
import { MemoryActiveSessions } from './memory.active-sessions';
import { RedisActiveSessions } from './redis.active-sessions';

beforeAll(requireRedis);

runActiveSessionsContract('memory', (max) => new MemoryActiveSessions(max));
runActiveSessionsContract('redis', (max) => new RedisActiveSessions({ connection: { url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('active') } }, 60_000, max));
