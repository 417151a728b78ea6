import type { ConfigOf } from '../../config/config.namespaces';
import { storeConfig } from '../../config/config.namespaces';
import { MemorySessionStore } from './memory.session-store';
import type { SessionStore } from './session-store.port';

/** The one place that maps STORE=… to an implementation. */
export function createSessionStore(cfg: ConfigOf<typeof storeConfig>): SessionStore {
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
    default:
      throw new Error(`STORE=${cfg.driver} is not available in this build (supported: memory)`);
  }
}
