import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { storeConfig, type ConfigOf } from '../config/config.namespaces';
import { actionTimeMs } from './action-time';
import { SESSION_STORE } from './activity.constants';
import { parseActivityEvent } from './activity.parser';
import { ActivityStream } from './activity.stream';
import type { ActionsEvent, ActivityEvent, ActivitySource } from './activity.types';
import { IngestStats } from './ingest-stats.service';
import type { SessionScope, SessionStore, SummaryUpdate } from './session-store/session-store.port';
import { SessionStoreFeeder } from './session-store/session-store.feeder';
import { SummaryHistory } from './summary-history';

export type IngestOutcome =
  | { status: 'accepted'; type: ActivityEvent['type']; actions?: number; stale?: number }
  | { status: 'ignored'; reason: string; detail?: string; type?: string };

export type PublishOutcome = { published: true; stale: number } | { published: false; reason: 'stale' | 'no_actions'; stale: number };

/**
 * The entry point of activity from every source: validates one wire-format event,
 * drops actions older than LOOKBACK_SECONDS by their own timestamps, and publishes
 * what is left to activity$. Events the connector's SDK would itself drop without an
 * error (no type, no session, an empty summary, no actions) are acknowledged and
 * ignored, never refused: the connector retries a 4xx until it gives up.
 */
@Injectable()
export class ActivityIngestService {
  private readonly lookbackMs: number;

  constructor(
    private readonly stream: ActivityStream,
    private readonly stats: IngestStats,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(storeConfig.KEY) cfg: ConfigOf<typeof storeConfig>,
    private readonly feeder: SessionStoreFeeder,
    private readonly history: SummaryHistory,
  ) {
    this.lookbackMs = cfg.lookbackSeconds * 1000;
  }

  /**
   * Throws BadRequestException (nothing published) only for a body that is not an event
   * object at all; rejects when the store cannot take the event (so the sender gets a 503
   * and redelivers rather than an acknowledgement of work that was lost).
   */
  async ingest(body: unknown, source: ActivitySource): Promise<IngestOutcome> {
    const parsed = parseActivityEvent(body, source);
    if (!parsed.ok) {
      if (parsed.reason === 'not_object') {
        this.stats.recordRejected(source, 'invalid_event');
        throw new BadRequestException(parsed.message);
      }
      return this.ignore(source, parsed.reason, parsed.message, parsed.reason === 'unknown_type' ? parsed.type.slice(0, 50) : undefined);
    }
    const event = parsed.event;
    if (!event.sessionId) return this.ignore(source, 'missing_session_id', 'session_id is required: activity without a session cannot be attributed to a user');
    if (event.type === 'summary') {
      await this.publish(event);
      return { status: 'accepted', type: 'summary' };
    }
    if (event.actions.length === 0) return this.ignore(source, 'no_actions', 'the event carries no actions');
    const outcome = await this.publish(event);
    if (!outcome.published) return this.ignore(source, outcome.reason, `every action is older than LOOKBACK_SECONDS (${this.lookbackMs / 1000} s)`);
    return { status: 'accepted', type: 'actions', actions: event.actions.length - outcome.stale, ...(outcome.stale ? { stale: outcome.stale } : {}) };
  }

  /**
   * Stores a rolling summary produced inside the service (the summarizer). False when the
   * session started over or another summary landed since the summary's input was read.
   */
  async applySummary(scope: SessionScope, update: SummaryUpdate): Promise<boolean> {
    const applied = await this.store.applySummary(scope, update);
    if (applied) await this.history.record(scope, update.text, 'summarizer');
    return applied;
  }

  /**
   * For sources that already hold a typed event (SSE stream, PostHog extraction). Stale
   * actions are dropped and counted. Resolves once the event is in the session store
   * (then activity$ hears of it); rejects when the store is unreachable.
   */
  async publish(event: ActivityEvent, now = Date.now()): Promise<PublishOutcome> {
    let stale = 0;
    if (event.type === 'actions') {
      const fresh = this.fresh(event, now);
      stale = event.actions.length - fresh.length;
      if (stale > 0) {
        this.stats.recordRejected(event.source, 'stale_action', stale);
        if (fresh.length === 0) return { published: false, reason: 'stale', stale };
        event = { ...event, actions: fresh, count: fresh.length };
      } else if (event.actions.length === 0) {
        return { published: false, reason: 'no_actions', stale: 0 };
      }
    }
    // Counted, not logged: a line per event would cost more than storing it (metrics and the console show the flow).
    this.stats.recordIngested(event.source, event.type);
    await this.feeder.apply(event);
    this.stream.publish(event);
    return { published: true, stale };
  }

  /** Actions whose own timestamp is within the lookback window (missing timestamps count as now). */
  private fresh(event: ActionsEvent, now: number): ActionsEvent['actions'] {
    const cutoff = now - this.lookbackMs;
    const isFresh = (a: ActionsEvent['actions'][number]) => actionTimeMs(a, now) >= cutoff;
    // The usual event has nothing stale: it keeps its own array.
    return event.actions.every(isFresh) ? event.actions : event.actions.filter(isFresh);
  }

  private ignore(source: ActivitySource, reason: string, detail: string, type?: string): IngestOutcome {
    this.stats.recordRejected(source, reason);
    return { status: 'ignored', reason, detail, ...(type ? { type } : {}) };
  }
}
