import type { ChannelId } from '../config/env.schema';

/** One inbound chat message, normalised by a channel before it reaches CopilotService. */
export interface ChatTurn {
  channel: ChannelId;
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

export interface CopilotReply {
  reply: string;
  hasActivity: boolean;
  /** The user's first name, when an email gave it. */
  name?: string;
  conversationId: string;
  /** True when the LLM failed and the reply is the fallback text. */
  fallback?: boolean;
}
