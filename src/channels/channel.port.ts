import type { ChannelId } from '../config/env.schema';

/** Where to deliver a message on a channel (e.g. a Crisp session id). */
export interface DeliveryTarget {
  conversationId: string;
  userId?: string;
  metadata?: Record<string, unknown>;
}

export interface OutboundMessage {
  text: string;
}

/** A transport adapter. Channels authenticate, parse, dedupe, acknowledge, and deliver. */
export interface Channel {
  readonly id: ChannelId;
  /** Whether this channel can speak first (proactive messages). */
  readonly canDeliver: boolean;
  deliver(target: DeliveryTarget, message: OutboundMessage): Promise<void>;
}

/** Injection token: `Channel[]` of the enabled channels. */
export const CHANNELS = Symbol('CHANNELS');
