import { LRUCache } from 'lru-cache';
import { setResized } from '../common/lru-resize';
import type { ConversationStore, ConversationTurn } from './conversation-store.port';

export interface MemoryConversationStoreOptions {
  /** Cap on conversations held (least recently used are evicted first). */
  maxConversations: number;
  /** Cap on outstanding dedupe claims; defaults to maxConversations. */
  maxClaims?: number;
  /** Memory budget of the conversations (turn texts), in bytes. */
  maxBytes?: number;
  /** Memory budget of the dedupe claims, in bytes. */
  maxClaimBytes?: number;
  /** Clock for claim expiry; injectable so tests need not sleep. */
  now?: () => number;
}

interface ConversationRecord {
  turns: ConversationTurn[];
  watermark?: number;
}

const recordBytes = (rec: ConversationRecord) => 200 + rec.turns.reduce((n, t) => n + 80 + 2 * t.text.length, 0);

/**
 * In-process CONVERSATION_STORE. Conversations and claims live in LRU caches with
 * hard caps, so memory stays bounded however many conversations come and go.
 * Node runs each call to completion before the next, which makes claimOnce atomic
 * within the process (replicas need the Redis store).
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly conversations: LRUCache<string, ConversationRecord>;
  /** key → epoch ms when the claim lapses. */
  private readonly claims: LRUCache<string, number>;
  private readonly now: () => number;

  constructor(opts: MemoryConversationStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.conversations = new LRUCache<string, ConversationRecord>({
      max: opts.maxConversations,
      ...(opts.maxBytes ? { maxSize: opts.maxBytes, sizeCalculation: (rec, key) => recordBytes(rec) + 2 * key.length } : {}),
    });
    this.claims = new LRUCache<string, number>({
      max: opts.maxClaims ?? opts.maxConversations,
      ...(opts.maxClaimBytes ? { maxSize: opts.maxClaimBytes, sizeCalculation: (_v, key) => 64 + 2 * key.length } : {}),
    });
  }

  async appendTurns(conversationId: string, turns: ConversationTurn[], maxTurns: number): Promise<void> {
    const rec = this.record(conversationId);
    rec.turns.push(...turns.map((t) => ({ role: t.role, text: t.text, at: t.at, ...(t.unprompted ? { unprompted: true } : {}) })));
    const keep = Math.max(0, maxTurns);
    if (rec.turns.length > keep) rec.turns.splice(0, rec.turns.length - keep);
    // Re-set so the byte budget accounts for the new turns.
    setResized(this.conversations, conversationId, rec);
  }

  async getTurns(conversationId: string, limit: number): Promise<ConversationTurn[]> {
    if (limit <= 0) return [];
    const rec = this.conversations.get(conversationId);
    if (!rec) return [];
    return rec.turns.slice(-limit).map((t) => ({ ...t }));
  }

  async getWatermark(conversationId: string): Promise<number | undefined> {
    return this.conversations.get(conversationId)?.watermark;
  }

  async setWatermark(conversationId: string, at: number): Promise<void> {
    const rec = this.record(conversationId);
    // Never move backwards: a slow reply finishing late must not re-show old actions as new.
    rec.watermark = rec.watermark === undefined ? at : Math.max(rec.watermark, at);
  }

  async claimOnce(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const until = this.claims.get(key);
    if (until !== undefined && until > now) return false;
    this.claims.set(key, now + Math.max(0, ttlSeconds) * 1000);
    return true;
  }

  async releaseClaim(key: string): Promise<void> {
    this.claims.delete(key);
  }

  async close(): Promise<void> {
    this.conversations.clear();
    this.claims.clear();
  }

  private record(conversationId: string): ConversationRecord {
    let rec = this.conversations.get(conversationId);
    if (!rec) {
      rec = { turns: [] };
      this.conversations.set(conversationId, rec);
    }
    return rec;
  }
}
