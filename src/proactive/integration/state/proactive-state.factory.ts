import type { ConfigOf, storeConfig } from '../../../config/config.namespaces';
import type { RedisConnection } from '../../../redis/redis-connection';
import { MemoryProactiveState, type ProactiveStatePort } from '../../engine';
import type { ActiveSessionIndex } from './active-sessions.port';
import { MemoryActiveSessions } from './memory.active-sessions';
import { RedisActiveSessions } from './redis.active-sessions';
import { RedisProactiveState } from './redis.proactive-state';

/** The one place that maps STORE=… to the proactive state and the active-session index. */
export function createProactiveState(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): ProactiveStatePort {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryProactiveState();
    case 'redis':
      if (!redis) throw new Error('STORE=redis needs the Redis connection (RedisModule)');
      return new RedisProactiveState({ connection: redis });
    default:
      throw new Error(`STORE=${String(cfg.driver)}: no proactive state for this driver in this build`);
  }
}

export function createActiveSessions(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): ActiveSessionIndex {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryActiveSessions();
    case 'redis':
      if (!redis) throw new Error('STORE=redis needs the Redis connection (RedisModule)');
      return new RedisActiveSessions({ connection: redis }, cfg.sessionTtlSeconds * 1000);
    default:
      throw new Error(`STORE=${String(cfg.driver)}: no active-session index for this driver in this build`);
  }
}
