import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { ActivityStream } from './activity.stream';
import { parseActivityEvent } from './activity.parser';
import type { ActivityEvent, ActivitySource } from './activity.types';
import { IngestStats } from './ingest-stats.service';

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

  /** For sources that already hold a typed event (SSE stream, PostHog extraction). */
  publish(event: ActivityEvent): void {
    this.stats.recordIngested(event.source, event.type);
    this.logger.debug({ productId: event.productId, sessionId: event.sessionId, type: event.type, source: event.source }, 'activity event');
    this.stream.publish(event);
  }
}
