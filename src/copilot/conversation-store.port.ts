export interface ConversationTurn {
  role: 'user' | 'assistant';
  text: string;
  /** Epoch ms. */
  at: number;
  /** The assistant spoke first (a proactive nudge): kept even when it opens the history. */
  unprompted?: boolean;
}

/**
 * CONVERSATION_STORE port: bounded turn history, the per-conversation activity
 * watermark, and once-only claims for webhook dedupe. Implementations: memory, redis.
 */
export interface ConversationStore {
  appendTurns(conversationId: string, turns: ConversationTurn[], maxTurns: number): Promise<void>;
  /** Last `limit` turns, oldest first. */
  getTurns(conversationId: string, limit: number): Promise<ConversationTurn[]>;
  /** Epoch ms of the activity the user had when they last got a reply, if any. */
  getWatermark(conversationId: string): Promise<number | undefined>;
  setWatermark(conversationId: string, at: number): Promise<void>;
  /** True the first time a key is claimed within ttlSeconds; false afterwards (atomic). */
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back (e.g. when work for it could not even be queued). */
  releaseClaim(key: string): Promise<void>;
  close(): Promise<void>;
}
