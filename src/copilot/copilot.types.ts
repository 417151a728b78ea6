import type { ChannelId } from '../config/env.schema';

/**
 * Where a conversation lives. `bridge` is the Rasa recipe's `/reply` contract: its own
 * channel, so a Rasa sender id can never name a bridge conversation.
 */
export type ConversationChannel = ChannelId | 'bridge';

/** One inbound chat message, normalised by a channel before it reaches CopilotService. */
export interface ChatTurn {
  channel: ConversationChannel;
  conversationId: string;
  /** Product user id, when the channel could resolve it. */
  userId?: string;
  productId?: string;
  sessionId?: string;
  email?: string;
  text: string;
  /**
   * What the user wants, when the channel knows better than free text:
   * `question` (default), `recap` ("what did I just do?"), `page_help` (help on the current page).
   */
  intent?: 'question' | 'recap' | 'page_help';
  metadata?: Record<string, unknown>;
}

/** A help-center article an answer drew on (the knowledge base's excerpts in the prompt). */
export interface CopilotSource {
  title: string;
  /** The article's `url` from its front matter; null when it has none. */
  url: string | null;
}

export interface CopilotReply {
  reply: string;
  /** Articles whose excerpts were in the prompt, most relevant first; [] without a knowledge base or on a fallback. */
  sources: CopilotSource[];
  hasActivity: boolean;
  /** The user's first name, when an email gave it. */
  name?: string;
  conversationId: string;
  /** True when no model answer could be had and the reply is the fallback text. */
  fallback?: boolean;
  /** Why: the model was unavailable, or the caller's deadline passed first. */
  fallbackReason?: 'llm_unavailable' | 'deadline';
}

export interface ReplyOptions {
  /**
   * Answer within this many ms: past it the reply is the fallback text, while the model
   * call goes on in the background and still records its turn. Synchronous channels use it.
   */
  withinMs?: number;
}
