import type { ConfigOf } from '../config/config.namespaces';
import { storeConfig } from '../config/config.namespaces';
import type { ConversationStore } from './conversation-store.port';
import type { RedisConnection } from '../redis/redis-connection';
import { MemoryConversationStore } from './memory.conversation-store';
import { RedisConversationStore } from './redis.conversation-store';

/** The one place that maps STORE=… to a CONVERSATION_STORE implementation. */
export function createConversationStore(cfg: ConfigOf<typeof storeConfig>, redis: RedisConnection | null): ConversationStore {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryConversationStore({ maxConversations: cfg.maxConversations, maxBytes: cfg.conversationStoreMaxBytes, maxClaimBytes: cfg.claimStoreMaxBytes });
    case 'redis':
      if (!redis) throw new Error('STORE=redis needs the Redis connection (RedisModule)');
      return new RedisConversationStore({ connection: redis, maxConversations: cfg.maxConversations, maxBytes: cfg.conversationStoreMaxBytes });
    default:
      throw new Error(`STORE=${String(cfg.driver)} is not available for conversations in this build (supported: memory, redis)`);
  }
}
