import type { Action, ActionsEvent } from '../activity.types';

/** Every stored session is addressed by product and session, never by session alone. */
export interface SessionScope {
  productId: string;
  sessionId: string;
}

export interface StoredAction extends Action {
  /** Per-session sequence number assigned by the store on append (1, 2, 3 …); never reused. */
  seq: number;
  /** Epoch ms (this server's clock) when the action was stored; "new since your last message" is measured on it. */
  receivedAt: number;
  /** Epoch ms when the action happened (its own timestamp, never after receivedAt); the lookback window is measured on it. */
  occurredAt: number;
}

export interface SessionSummary {
  text: string;
  /** Epoch ms when the summary was stored. */
  updatedAt: number;
  /** Highest action seq the summary covers (0 when it covers none we still hold). */
  coversThroughSeq: number;
}

export interface SessionContext extends SessionScope {
  userId?: string;
  email?: string;
  summary?: SessionSummary;
  /** Raw actions after the summary, oldest first, within LOOKBACK_SECONDS and MAX_ACTIONS. */
  actions: StoredAction[];
  /** Epoch ms of the last append or summary. */
  lastActivityAt: number;
  /**
   * Changes whenever the session record starts over (created, re-created after
   * expiry or eviction, or taken over by a different user). Pass it back in
   * SummaryUpdate so a summary built from an earlier owner's actions is refused.
   */
  generation: number;
  /** Bumped by every stored summary (0 before the first); pass it back as SummaryUpdate.expectedRevision. */
  summaryRevision: number;
}

export interface SessionRef extends SessionScope {
  lastSeenAt: number;
}

export interface UserActivity {
  userId: string;
  email?: string;
  /** Newest first. */
  sessions: SessionContext[];
}

export type AppendResult =
  | {
      stored: true;
      scope: SessionScope;
      /** The session's user after this append (undefined while anonymous). */
      userId?: string;
      firstSeq: number;
      lastSeq: number;
      /** Raw actions the session now holds after its latest summary (what a summarizer would condense). */
      unsummarised: number;
    }
  | { stored: false; reason: 'missing_session_id' };

export interface SummaryUpdate {
  text: string;
  /** Drop raw actions with seq <= this (rolling summaries from our summarizer). */
  coversThroughSeq?: number;
  /** Drop this many of the oldest raw actions (connector `summary` events). */
  replaces?: number;
  /** The generation the summary was built from (SessionContext.generation); a mismatch is refused. */
  generation?: number;
  /**
   * The summaryRevision the summary was built on; refused when another summary (e.g. the
   * connector's own) was stored meanwhile, since that one already condensed these actions.
   */
  expectedRevision?: number;
}

/** At most this many sessions are listed across users (listRecentSessions), and the Redis index holds no more. */
export const RECENT_SESSIONS_MAX = 200;

export interface StoreStats {
  sessionsTracked: number;
  usersTracked: number;
}

/**
 * SESSION_STORE port. Implementations: memory (one process), redis (replicas).
 * Both must pass session-store.contract.ts.
 *
 * Atomicity: `appendActions` and `applySummary` are each atomic per session — a
 * concurrent reader sees a session either before or after the whole call, never half
 * of it (actions appended but not trimmed, a summary stored with its actions still
 * there or gone before it). Readers may assume: actions come oldest first with
 * strictly increasing `seq`; every action a summary covers is gone once that summary
 * is visible, and none is gone before; a session returned for a user belongs to that
 * user (a session id taken over by another user starts over with a new generation).
 * Reads are snapshots: mutating what they return changes nothing stored. There is no
 * ordering guarantee across sessions.
 */
export interface SessionStore {
  /** Stores an actions event; events without a session id are refused (never pooled). */
  appendActions(event: ActionsEvent): Promise<AppendResult>;
  /**
   * Stores the summary first, then drops exactly the raw actions it covers. False (nothing
   * changed) when the session is unknown or has started over since the summary's source
   * was read: a different generation, or, for `replaces` summaries, a session taken over
   * by another user that never held that many actions.
   */
  applySummary(scope: SessionScope, update: SummaryUpdate): Promise<boolean>;
  getSessionContext(scope: SessionScope): Promise<SessionContext | null>;
  /**
   * The user's recent sessions (newest first, within the lookback window), each with
   * its summary and recent actions. `productId` narrows to one product. Null when the
   * user was never seen (or has been evicted).
   */
  getUserActivity(userId: string, opts?: { productId?: string; maxSessions?: number }): Promise<UserActivity | null>;
  getRecentSessions(userId: string, productId?: string): Promise<SessionRef[]>;
  /**
   * The most recently active sessions across all users and products (anonymous ones
   * included), newest first, each active within the lookback window: at most
   * min(limit, RECENT_SESSIONS_MAX). For operators (the console), not for prompts:
   * a prompt reads one user's sessions through getUserActivity.
   */
  listRecentSessions(limit: number): Promise<SessionContext[]>;
  getEmail(userId: string): Promise<string | undefined>;
  /** The user id last seen with this email (case-insensitive), if any. */
  findUserByEmail(email: string): Promise<string | undefined>;
  stats(): Promise<StoreStats>;
  /** Throws when the backing store is unreachable (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Settings every implementation honours. `now` lets tests drive the clock. */
export interface SessionStoreOptions {
  lookbackSeconds: number;
  maxActions: number;
  maxSessions: number;
  maxSessionsPerUser: number;
  maxUsers: number;
  sessionTtlSeconds: number;
  /** Memory budget of an in-process store, in bytes (0 or undefined: bounded by counts only). */
  maxBytes?: number;
  now?: () => number;
}
