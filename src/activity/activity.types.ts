/**
 * The event connector's wire format (reference/autoplay-sdk.md §2), as typed
 * in-process models. Wire names are snake_case; models are camelCase.
 */

/** Where an event entered the service (used in metrics and logs). */
export type ActivitySource = 'push' | 'stream' | 'posthog' | 'browser' | 'demo' | 'test';

export interface Action {
  /** 0-based position of the action in its session, as sent by the connector. */
  index: number;
  /** pageview | click | submit | type | focus | blur | change | rageclick … */
  type: string;
  title: string;
  description: string;
  canonicalUrl: string;
  rawUrl: string;
  /** Epoch seconds (client clock). */
  timestampStart: number;
  timestampEnd: number;
  sessionId?: string;
  userId?: string;
  email?: string;
}

export interface ActionsEvent {
  type: 'actions';
  productId: string;
  sessionId?: string;
  userId?: string;
  email?: string;
  conversationId?: string;
  actions: Action[];
  /** Always equals actions.length after parsing. */
  count: number;
  /** Epoch seconds (connector clock). */
  forwardedAt: number;
  source: ActivitySource;
}

export interface SummaryEvent {
  type: 'summary';
  productId: string;
  sessionId?: string;
  summary: string;
  /** How many of the session's oldest raw actions this summary condenses. */
  replaces: number;
  forwardedAt: number;
  source: ActivitySource;
}

export type ActivityEvent = ActionsEvent | SummaryEvent;

export const ACTIVITY_EVENT_TYPES = ['actions', 'summary'] as const;
