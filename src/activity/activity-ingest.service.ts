import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { SESSION_STORE } from './activity.constants';
import { ActivityStream } from './activity.stream';
import { parseActivityEvent } from './activity.parser';
import type { ActivityEvent, ActivitySource } from './activity.types';
import { IngestStats } from './ingest-stats.service';
import type { SessionScope, SessionStore, SummaryUpdate } from './session-store/session-store.port';

export type IngestOutcome =
  | { status: 'accepted'; type: ActivityEvent['type']; actions?: number }
  | { status: 'ignored'; type: string };

/** Validates one wire-format event from any source and publishes it to activity$. */
@Injectable()
export class ActivityIngestService {
  private readonly logger = new Logger(ActivityIngestService.name);

  constructor(
    private readonly stream: ActivityStream,
    private readonly stats: IngestStats,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  /** Throws BadRequestException (nothing published) for an unusable event. */
  ingest(body: unknown, source: ActivitySource): IngestOutcome {
    const parsed = parseActivityEvent(body, source);
    if (!parsed.ok) {
      if (parsed.reason === 'unknown_type') {
        this.stats.recordRejected(source, 'unknown_type');
        return { status: 'ignored', type: parsed.type };
      }
      this.stats.recordRejected(source, 'invalid_event');
      throw new BadRequestException(parsed.message);
    }
    const event = parsed.event;
    if (!event.sessionId) {
      this.stats.recordRejected(source, 'missing_session_id');
      throw new BadRequestException('session_id is required: activity without a session cannot be attributed to a user');
    }
    this.publish(event);
    return event.type === 'actions'
      ? { status: 'accepted', type: 'actions', actions: event.actions.length }
      : { status: 'accepted', type: 'summary' };
  }

  /**
   * Stores a rolling summary produced inside the service (the summarizer). False when the
   * session started over or another summary landed since the summary's input was read.
   */
  applySummary(scope: SessionScope, update: SummaryUpdate): Promise<boolean> {
    return this.store.applySummary(scope, update);
  }

  /** For sources that already hold a typed event (SSE stream, PostHog extraction). */
  publish(event: ActivityEvent): void {
    this.stats.recordIngested(event.source, event.type);
    this.logger.debug({ productId: event.productId, sessionId: event.sessionId, type: event.type, source: event.source }, 'activity event');
    this.stream.publish(event);
  }
}
