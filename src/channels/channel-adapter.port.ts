import type { ChannelId } from '../config/env.schema';
import type { IdentityClaim } from '../copilot/conversation-identity.service';

/** Where a message goes on a channel (e.g. a Crisp session id). */
export interface DeliveryTarget {
  conversationId: string;
  userId?: string;
  metadata?: Record<string, unknown>;
}

export interface OutboundMessage {
  text: string;
}

/**
 * A failed send. `retriable`: worth another try later (rate limit, server error,
 * network); otherwise the message can never be delivered as it is (bad request,
 * unknown conversation) and the job ends.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly status?: number,
    /** The other side's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * The transport half of a channel that sends asynchronously (replies queued after a
 * webhook was acknowledged, messages sent unprompted). Registered as one of the
 * CHANNEL_ADAPTERS; the shared ReplyPipeline does claims, queueing, the copilot call,
 * retries and typing around it.
 */
export interface ChannelAdapter {
  readonly id: ChannelId;
  /** Posts a message; throws DeliveryError (or anything else, treated as retriable). */
  send(target: DeliveryTarget, message: OutboundMessage): Promise<void>;
  /** Typing indicator, where the channel has one. Best effort: failures are ignored. */
  typing?(target: DeliveryTarget, on: boolean): Promise<void>;
  /** Asks the channel who is behind a conversation, when no hook told us (e.g. Crisp conversation meta). */
  lookupIdentity?(target: DeliveryTarget): Promise<IdentityClaim>;
  /** How long a message may keep being retried before it is dead-lettered (default: the pipeline's). */
  readonly retryWindowMs?: number;
}

/** Injection token: `ChannelAdapter[]` of the enabled channels that send asynchronously. */
export const CHANNEL_ADAPTERS = Symbol('CHANNEL_ADAPTERS');
