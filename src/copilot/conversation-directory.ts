import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../common/text';
import { prependCapped, readCapped } from '../state/capped-list';
import type { KeyValueStore } from '../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../state/state.constants';
import type { ConversationStore, ConversationTurn } from './conversation-store.port';
import { CONVERSATION_STORE } from './copilot.constants';
import type { ConversationChannel } from './copilot.types';

interface Entry {
  channel: ConversationChannel;
  conversationId: string;
  /** The conversation store key its turns live under. */
  key: string;
  lastAt: number;
}

export interface UserConversation {
  channel: ConversationChannel;
  conversationId: string;
  /** Epoch ms of the latest exchange. */
  lastAt: number;
  /** Oldest first. */
  turns: ConversationTurn[];
}

/** Conversations remembered per user, newest first. */
const MAX_PER_USER = 10;
const TTL_SECONDS = 86_400;

/**
 * Which conversations a user had, on any channel, so an operator can read them beside
 * the user's activity (the console timeline). The turns themselves stay in
 * CONVERSATION_STORE; this keeps only a short per-user list of keys in KEY_VALUE_STORE.
 * Two replicas answering the same user in the same instant may each write the list, and
 * the last write wins: at worst an entry is missing until that conversation's next reply.
 */
@Injectable()
export class ConversationDirectory {
  private readonly logger = new Logger(ConversationDirectory.name);

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(CONVERSATION_STORE) private readonly conversations: ConversationStore,
  ) {}

  async record(userId: string, entry: Entry): Promise<void> {
    try {
      await prependCapped(this.kv, directoryKey(userId), entry, { max: MAX_PER_USER, ttlSeconds: TTL_SECONDS, replaces: (e) => e.key === entry.key });
    } catch (err) {
      // The reply went out; the operator view misses one conversation.
      this.logger.warn({ userId, err: errorMessage(err) }, 'could not record the conversation in the user directory');
    }
  }

  /** The user's recent conversations (newest first) with their last `turnsEach` turns. */
  async forUser(userId: string, turnsEach: number): Promise<UserConversation[]> {
    const list = await readCapped<Entry>(this.kv, directoryKey(userId));
    const turns = await Promise.all(list.map((e) => this.conversations.getTurns(e.key, turnsEach)));
    return list.map((e, i) => ({ channel: e.channel, conversationId: e.conversationId, lastAt: e.lastAt, turns: turns[i] })).filter((c) => c.turns.length > 0);
  }
}

const directoryKey = (userId: string) => `conversations-of:${userId}`;
