import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Counter } from 'prom-client';
import { sourcesConfig, storeConfig, type ConfigOf } from '../../../config/config.namespaces';
import { MetricsService } from '../../../observability/metrics.service';
import { ActivityIngestService } from '../../activity-ingest.service';
import { buildActionsEvents, extractAction, unwrapPosthogBody, type ExtractedAction } from './posthog.extraction';

export interface PosthogIngestResult {
  status: 'accepted';
  /** PostHog events received in the request. */
  events: number;
  /** Actions published to activity$. */
  actions: number;
  skipped: number;
  sessions: number;
  skipped_reasons: Record<string, number>;
}

/**
 * PostHog destination events → connector-style `actions` events on activity$.
 * Keeps the next action index per (product, session) across requests in a bounded
 * LRU, so indexes keep increasing for a live session without unbounded memory.
 */
@Injectable()
export class PosthogIngestService {
  private readonly logger = new Logger(PosthogIngestService.name);
  private readonly nextIndex: LRUCache<string, number>;
  private readonly received: Counter<string>;
  private readonly skippedTotal: Counter<string>;

  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    @Inject(storeConfig.KEY) store: ConfigOf<typeof storeConfig>,
    private readonly activity: ActivityIngestService,
    metrics: MetricsService,
  ) {
    this.nextIndex = new LRUCache({ max: store.maxSessions, ttl: store.sessionTtlSeconds * 1000, updateAgeOnGet: true });
    this.received = metrics.counter({ name: 'posthog_events_received_total', help: 'PostHog events received on /v1/activity/posthog' });
    this.skippedTotal = metrics.counter({
      name: 'posthog_events_skipped_total',
      help: 'PostHog events that did not become actions, by reason',
      labelNames: ['reason'],
    });
  }

  /** Throws BadRequestException when the body is not a PostHog event shape; bad single events are skipped. */
  ingest(body: unknown): PosthogIngestResult {
    const unwrapped = unwrapPosthogBody(body);
    if (!unwrapped.ok) throw new BadRequestException(unwrapped.message);
    const now = Date.now() / 1000;
    const extracted: ExtractedAction[] = [];
    const skippedReasons: Record<string, number> = {};
    for (const raw of unwrapped.events) {
      const r = extractAction(raw, now);
      if (r.ok) {
        extracted.push(r.action);
      } else {
        skippedReasons[r.reason] = (skippedReasons[r.reason] ?? 0) + 1;
        this.skippedTotal.inc({ reason: r.reason });
      }
    }
    this.received.inc(unwrapped.events.length);

    const productId = this.cfg.posthogProductId;
    const events = buildActionsEvents(extracted, productId, (sessionId) => this.allocate(productId, sessionId), now);
    for (const event of events) this.activity.publish(event);

    const skipped = unwrapped.events.length - extracted.length;
    if (skipped > 0) this.logger.debug({ skipped: skippedReasons }, 'posthog events skipped');
    return {
      status: 'accepted',
      events: unwrapped.events.length,
      actions: extracted.length,
      skipped,
      sessions: new Set(extracted.map((a) => a.sessionId)).size,
      skipped_reasons: skippedReasons,
    };
  }

  private allocate(productId: string, sessionId: string): number {
    const key = `${productId}\u0000${sessionId}`;
    const n = this.nextIndex.get(key) ?? 0;
    this.nextIndex.set(key, n + 1);
    return n;
  }
}
