import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { sourcesConfig, storeConfig, type ConfigOf } from '../../../config/config.namespaces';
import { MetricsService } from '../../../observability/metrics.service';
import type { KeyValueStore } from '../../../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../../../state/state.constants';
import { ActivityIngestService } from '../../activity-ingest.service';
import { extractAction, type ExtractedAction } from './posthog-action.mapper';
import { buildActionsEvents, countBySession } from './posthog-batching';
import { unwrapPosthogBody } from './posthog-body';

/** How long an event uuid is remembered (PostHog's retries happen within minutes). */
const EVENT_DEDUPE_TTL_SECONDS = 86_400;

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
 * PostHog destination events → connector-style `actions` events on activity$. The next
 * action index per (product, session) is a counter in KEY_VALUE_STORE (expiring with
 * the session), so indexes keep increasing for a live session across requests and replicas.
 */
@Injectable()
export class PosthogIngestService {
  private readonly logger = new Logger(PosthogIngestService.name);
  private readonly received: Counter<string>;
  private readonly skippedTotal: Counter<string>;
  private readonly indexTtlSeconds: number;

  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    @Inject(storeConfig.KEY) store: ConfigOf<typeof storeConfig>,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    private readonly activity: ActivityIngestService,
    metrics: MetricsService,
  ) {
    this.indexTtlSeconds = store.sessionTtlSeconds;
    this.received = metrics.counter({ name: 'posthog_events_received_total', help: 'PostHog events received on /v1/activity/posthog' });
    this.skippedTotal = metrics.counter({
      name: 'posthog_events_skipped_total',
      help: 'PostHog events that did not become actions, by reason',
      labelNames: ['reason'],
    });
  }

  /** Throws BadRequestException when the body is not a PostHog event shape; bad single events are skipped. */
  async ingest(body: unknown): Promise<PosthogIngestResult> {
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
    const skip = (reason: string, n = 1) => {
      if (n === 0) return;
      skippedReasons[reason] = (skippedReasons[reason] ?? 0) + n;
      this.skippedTotal.inc({ reason }, n);
    };

    const productId = this.cfg.posthogProductId;
    const fresh = await this.dropRedelivered(productId, extracted);
    skip('duplicate', extracted.length - fresh.length);
    const next = await this.allocateIndexes(productId, countBySession(fresh));
    const allocate = (sessionId: string) => {
      const i = next.get(sessionId) ?? 0;
      next.set(sessionId, i + 1);
      return i;
    };
    let stale = 0;
    for (const event of buildActionsEvents(fresh, productId, allocate, now)) stale += (await this.activity.publish(event)).stale;
    skip('stale', stale);

    const stored = fresh.length - stale;
    const skipped = unwrapped.events.length - stored;
    if (skipped > 0) this.logger.debug({ skipped: skippedReasons }, 'posthog events skipped');
    return {
      status: 'accepted',
      events: unwrapped.events.length,
      actions: stored,
      skipped,
      sessions: next.size,
      skipped_reasons: skippedReasons,
    };
  }

  /** PostHog retries deliveries: an event uuid seen within a day is dropped (the claim is atomic across replicas). */
  private async dropRedelivered(productId: string, extracted: ExtractedAction[]): Promise<ExtractedAction[]> {
    const seenInBatch = new Set<string>();
    const keep = await Promise.all(
      extracted.map(async (a) => {
        if (!a.eventId) return true;
        if (seenInBatch.has(a.eventId)) return false;
        seenInBatch.add(a.eventId);
        return this.kv.setIfAbsent(`posthog-event:${productId}:${a.eventId}`, 1, EVENT_DEDUPE_TTL_SECONDS);
      }),
    );
    return extracted.filter((_, i) => keep[i]);
  }

  /** Reserves `count` consecutive indexes per session; returns each session's first one. */
  private async allocateIndexes(productId: string, counts: Map<string, number>): Promise<Map<string, number>> {
    const first = new Map<string, number>();
    await Promise.all(
      [...counts].map(async ([sessionId, n]) => {
        const last = await this.kv.increment(`posthog-index:${productId}:${sessionId}`, n, this.indexTtlSeconds);
        first.set(sessionId, last - n);
      }),
    );
    return first;
  }
}
