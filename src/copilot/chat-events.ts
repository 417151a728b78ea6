import { Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../common/text';
import type { ChannelId } from '../config/env.schema';
import type { ConversationChannel } from './copilot.types';

/** A user wrote to the copilot on a channel (before the reply is computed). */
export interface UserWrote {
  channel: ConversationChannel;
  conversationId: string;
  userId?: string;
  productId?: string;
  sessionId?: string;
  text: string;
  at: number;
}

/** A channel told us, in a way the identity verifier trusts, which product user is behind a conversation. */
export interface ConversationIdentified {
  channel: ChannelId;
  conversationId: string;
  userId: string;
  at: number;
}

type Listener<E> = (event: E) => void | Promise<void>;

/**
 * What happens in conversations, for features downstream of the copilot (the proactive
 * engine: reactive suppression, answers to nudges, where a user can be reached) without
 * channels knowing about them. Listeners run before the reply is computed; one that
 * fails is logged and never costs the user their answer.
 */
@Injectable()
export class ChatEvents {
  private readonly logger = new Logger(ChatEvents.name);
  private readonly wrote: Array<Listener<UserWrote>> = [];
  private readonly identified: Array<Listener<ConversationIdentified>> = [];

  onUserWrote(fn: Listener<UserWrote>): void {
    this.wrote.push(fn);
  }

  onIdentified(fn: Listener<ConversationIdentified>): void {
    this.identified.push(fn);
  }

  emitUserWrote(event: UserWrote): Promise<void> {
    return this.run('user_wrote', this.wrote, event);
  }

  emitIdentified(event: ConversationIdentified): Promise<void> {
    return this.run('identified', this.identified, event);
  }

  private async run<E extends { channel: string; conversationId: string }>(name: string, listeners: Array<Listener<E>>, event: E): Promise<void> {
    await Promise.all(
      listeners.map(async (fn) => {
        try {
          await fn(event);
        } catch (err) {
          this.logger.warn({ event: name, channel: event.channel, conversationId: event.conversationId, err: errorMessage(err) }, 'chat event listener failed');
        }
      }),
    );
  }
}
