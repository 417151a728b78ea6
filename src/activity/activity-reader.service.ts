import { Inject, Injectable, Optional } from '@nestjs/common';
import { SESSION_STORE } from './activity.constants';
import type { SessionContext, SessionScope, SessionStore, StoreStats, UserActivity } from './session-store/session-store.port';
import { SummaryHistory, type SummaryRecord } from './summary-history';

/**
 * What the rest of the app may read about activity. The SESSION_STORE port stays
 * inside ActivityModule; consumers (copilot, summarizer, proactive) read through here,
 * so a store driver can change without touching them.
 */
@Injectable()
export class ActivityReader {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Optional() private readonly history?: SummaryHistory,
  ) {}

  /** The user's recent sessions, newest first (see SessionStore.getUserActivity). */
  getUserActivity(userId: string, opts?: { productId?: string; maxSessions?: number }): Promise<UserActivity | null> {
    return this.store.getUserActivity(userId, opts);
  }

  getSessionContext(scope: SessionScope): Promise<SessionContext | null> {
    return this.store.getSessionContext(scope);
  }

  /** The user id last seen with this email (case-insensitive). */
  findUserByEmail(email: string): Promise<string | undefined> {
    return this.store.findUserByEmail(email);
  }

  /** True when the user has a summary or raw actions in the lookback window. */
  async hasActivity(userId: string, productId?: string): Promise<boolean> {
    const activity = await this.store.getUserActivity(userId, { productId });
    return (activity?.sessions ?? []).some((s) => Boolean(s.summary) || s.actions.length > 0);
  }

  /** The most recently active sessions across users, newest first (operators only; see SessionStore.listRecentSessions). */
  listRecentSessions(limit: number): Promise<SessionContext[]> {
    return this.store.listRecentSessions(limit);
  }

  /** The session's summaries as they were made, newest first (operators only; the store keeps just the latest). */
  async summaryHistory(scope: SessionScope): Promise<SummaryRecord[]> {
    return this.history ? this.history.list(scope) : [];
  }

  stats(): Promise<StoreStats> {
    return this.store.stats();
  }
}
