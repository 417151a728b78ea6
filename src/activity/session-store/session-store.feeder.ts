import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ActivityEvent } from '../activity.types';
import { SESSION_STORE } from '../activity.constants';
import { IngestStats } from '../ingest-stats.service';
import { StoredActionsFeed } from '../stored-actions.feed';
import { SummaryHistory } from '../summary-history';
import type { SessionStore } from './session-store.port';

/**
 * The one writer of SESSION_STORE: every published event is appended (actions) or
 * applied (connector summaries) before ActivityIngestService answers or activity$ hears
 * of it, then StoredActionsFeed is told what was stored. A store failure propagates to
 * the caller (a webhook answers 503 and its sender redelivers).
 */
@Injectable()
export class SessionStoreFeeder {
  private readonly logger = new Logger(SessionStoreFeeder.name);

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    private readonly stats: IngestStats,
    private readonly stored: StoredActionsFeed,
    private readonly history: SummaryHistory,
  ) {}

  async apply(event: ActivityEvent): Promise<void> {
    if (event.type === 'actions') {
      const result = await this.store.appendActions(event);
      if (!result.stored) {
        this.stats.recordRejected('store', result.reason);
        this.logger.warn({ productId: event.productId, source: event.source, reason: result.reason }, 'actions event not stored');
        return;
      }
      await this.stored.publish({
        scope: result.scope,
        userId: result.userId,
        appended: event.actions.length,
        unsummarised: result.unsummarised,
        lastSeq: result.lastSeq,
        source: event.source,
      });
      return;
    }
    if (!event.sessionId) {
      this.stats.recordRejected('store', 'missing_session_id');
      return;
    }
    const scope = { productId: event.productId, sessionId: event.sessionId };
    const applied = await this.store.applySummary(scope, { text: event.summary, replaces: event.replaces });
    if (!applied) this.stats.recordRejected('store', 'unknown_session');
    else await this.history.record(scope, event.summary, 'connector');
  }
}
