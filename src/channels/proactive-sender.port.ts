import type { ChannelId } from '../config/env.schema';

/** A nudge as channels send it: the text, and the quick replies a channel may render as buttons. */
export interface ProactiveMessage {
  /** Stable id of this nudge (the engine's decision id): one id is sent once. */
  nudgeId: string;
  ruleId: string;
  text: string;
  quickReplies: string[];
  /** Epoch ms it was decided. */
  at: number;
}

/** Where a nudge goes: the product user, and their conversation on the channel (a Crisp session, a Rasa sender id). */
export interface ProactiveTarget {
  productId: string;
  userId: string;
  conversationId: string;
}

/**
 * The sending half of a channel for messages nobody asked for (proactive nudges). The
 * proactive module picks a channel per user and calls `send`; it never imports a
 * channel's internals. Throw DeliveryError (channel-adapter.port.ts): `retriable` says
 * whether the same channel is worth another try later; otherwise the next channel is tried.
 */
export interface ProactiveSender {
  readonly id: ChannelId;
  /**
   * The conversation to use when none was learned for the user, or undefined when the
   * channel needs one (Crisp, Rasa). The REST channel reaches every user through their
   * event feed, and names the conversation after the nudge.
   */
  defaultConversation?(userId: string, nudgeId: string): string | undefined;
  send(target: ProactiveTarget, message: ProactiveMessage): Promise<void>;
}

/** Injection token: `ProactiveSender[]` of the enabled channels that can speak first. */
export const PROACTIVE_SENDERS = Symbol('PROACTIVE_SENDERS');
