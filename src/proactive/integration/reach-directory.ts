import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ChannelId } from '../../config/env.schema';
import { CHANNEL_IDS } from '../../config/env.schema';
import { ChatEvents } from '../../copilot/chat-events';
import type { KeyValueStore } from '../../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../../state/state.constants';

/** Where a user was last reachable on a channel. */
export interface Reach {
  channel: ChannelId;
  conversationId: string;
  /** Epoch ms it was learned. */
  at: number;
}

/** A conversation older than this is not where the user is now. */
const REACH_TTL_SECONDS = 86_400;
const isChannel = (c: string): c is ChannelId => (CHANNEL_IDS as readonly string[]).includes(c);
const reachKey = (channel: ChannelId, userId: string) => `proactive:reach:${channel}:${encodeURIComponent(userId)}`;

/**
 * Learns, per channel, the conversation a product user can be reached in: a Crisp
 * session from trusted `session:set_data` (or the user's last chat there), a Rasa sender
 * id from the action calls whose metadata names the user. Kept in KEY_VALUE_STORE so the
 * replica that delivers sees what any replica learned.
 */
@Injectable()
export class ReachDirectory implements OnModuleInit {
  constructor(
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    private readonly chat: ChatEvents,
  ) {}

  onModuleInit(): void {
    this.chat.onIdentified((e) => this.learn(e.channel, e.userId, e.conversationId, e.at));
    this.chat.onUserWrote((e) => (e.userId && isChannel(e.channel) ? this.learn(e.channel, e.userId, e.conversationId, e.at) : undefined));
  }

  async learn(channel: ChannelId, userId: string, conversationId: string, at: number): Promise<void> {
    // REST conversations are client-chosen ids; the REST channel reaches users through their event feed instead.
    if (channel === 'rest') return;
    await this.kv.set<Reach>(reachKey(channel, userId), { channel, conversationId, at }, REACH_TTL_SECONDS);
  }

  async lookup(channel: ChannelId, userId: string): Promise<Reach | undefined> {
    return this.kv.get<Reach>(reachKey(channel, userId));
  }
}
