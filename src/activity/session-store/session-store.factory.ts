import type { ConfigOf } from '../../config/config.namespaces';
import { storeConfig } from '../../config/config.namespaces';
import type { RedisConnection } from '../../redis/redis-connection';
import { MemorySessionStore } from './memory.session-store';
import { RedisSessionStore } from './redis.session-store';
import type { SessionStore } from './session-store.port';

/** The one place that maps STORE=… to an implementation. */
export function createSessionStore(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): SessionStore {
  const opts = {
    lookbackSeconds: cfg.lookbackSeconds,
    maxActions: cfg.maxActions,
    maxSessions: cfg.maxSessions,
    maxSessionsPerUser: cfg.maxSessionsPerUser,
    maxUsers: cfg.maxUsers,
    sessionTtlSeconds: cfg.sessionTtlSeconds,
    maxBytes: cfg.sessionStoreMaxBytes,
  };
  switch (cfg.driver) {
    case 'memory':
      return new MemorySessionStore(opts);
    case 'redis':
      return new RedisSessionStore({ ...opts, connection: requireRedis(redis) });
    default:
      throw new Error(`STORE=${String(cfg.driver)} is not available in this build (supported: memory, redis)`);
  }
}

function requireRedis(redis: RedisConnection | null): RedisConnection {
  if (!redis) throw new Error('STORE=redis needs the Redis connection (RedisModule)');
  return redis;
}
