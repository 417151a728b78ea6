import type { ConfigOf } from '../config/config.namespaces';
import { storeConfig } from '../config/config.namespaces';
import type { ConversationStore } from './conversation-store.port';
import { MemoryConversationStore } from './memory.conversation-store';

/** The one place that maps STORE=… to a CONVERSATION_STORE implementation. */
export function createConversationStore(cfg: ConfigOf<typeof storeConfig>): ConversationStore {
  switch (cfg.driver) {
    case 'memory':
      return new MemoryConversationStore({ maxConversations: cfg.maxConversations, maxBytes: cfg.conversationStoreMaxBytes, maxClaimBytes: cfg.claimStoreMaxBytes });
    default:
      throw new Error(`STORE=${cfg.driver} is not available for conversations in this build (supported: memory)`);
  }
}
