import { Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import type { MetricsService } from '../../../observability/metrics.service';
import type { IngestStats } from '../../ingest-stats.service';
import type { DisconnectInfo } from './connector-sse.client';

/** Drop and malformed-frame warnings are summaries, at most one per reason per interval. */
const WARN_INTERVAL_MS = 10_000;

const PERMANENT_HINTS: Record<number, string> = {
  400: 'check STREAM_URL: the connector refused the request (is the product registered in event_stream/sse mode?)',
  401: 'check UNKEY_API_KEY: the connector rejected the credential',
  403: 'check UNKEY_API_KEY: the credential is not allowed to read this stream',
  404: 'check STREAM_URL: the connector does not know this product',
};

/** The URL without query string or credentials, safe for logs and /healthz. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/**
 * What the connector stream reports: Prometheus metrics, the facts /healthz shows, and
 * log lines that summarise bursts (drops, malformed frames, refusals) instead of
 * repeating themselves per event.
 */
export class ConnectorStreamTelemetry {
  private readonly logger = new Logger('ConnectorSseSource');
  connectedSince?: number;
  lastEventAt?: number;
  lastFrameAt?: number;
  lastError?: { reason: string; status?: number; detail?: string; at: string };
  private failureLogged = false;
  private unreportedDrops = 0;
  private lastDropWarnAt = 0;
  private readonly malformedWarnAt = new Map<string, number>();
  private readonly malformedCounts = new Map<string, number>();

  private readonly up: Gauge<string>;
  private readonly failedGauge: Gauge<string>;
  private readonly reconnectsTotal: Counter<string>;
  private readonly disconnectsTotal: Counter<string>;
  private readonly framesTotal: Counter<string>;
  private readonly lastEventGauge: Gauge<string>;
  private readonly bufferDepth: Gauge<string>;
  private readonly droppedTotal: Counter<string>;

  constructor(
    metrics: MetricsService,
    private readonly stats: IngestStats,
    private readonly url: string,
  ) {
    this.up = metrics.gauge({ name: 'connector_stream_up', help: '1 while the connector SSE stream is connected' });
    this.failedGauge = metrics.gauge({ name: 'connector_stream_failed', help: '1 while the connector refuses the stream configuration (HTTP 400/401/403/404)' });
    this.reconnectsTotal = metrics.counter({ name: 'connector_stream_reconnects_total', help: 'Connector stream reconnection attempts' });
    this.disconnectsTotal = metrics.counter({ name: 'connector_stream_disconnects_total', help: 'Connector stream drops and failed attempts, by reason', labelNames: ['reason'] });
    this.framesTotal = metrics.counter({ name: 'connector_stream_frames_total', help: 'SSE frames read from the connector stream, by kind', labelNames: ['kind'] });
    this.lastEventGauge = metrics.gauge({ name: 'connector_stream_last_event_timestamp_seconds', help: 'Unix time of the last actions/summary event read from the stream' });
    this.bufferDepth = metrics.gauge({ name: 'connector_stream_buffer_depth', help: 'Stream events waiting for consumers' });
    this.droppedTotal = metrics.counter({ name: 'connector_stream_dropped_total', help: 'Stream events dropped (oldest first) because consumers fell behind' });
  }

  frame(kind: 'heartbeat' | 'empty' | 'data'): void {
    this.lastFrameAt = Date.now();
    this.framesTotal.inc({ kind });
  }

  event(): void {
    this.lastEventAt = this.lastFrameAt ?? Date.now();
    this.lastEventGauge.set(this.lastEventAt / 1000);
  }

  depth(n: number): void {
    this.bufferDepth.set(n);
  }

  dropped(n: number, total: number, capacity: number): void {
    if (n === 0) return;
    this.droppedTotal.inc(n);
    this.unreportedDrops += n;
    this.reportDrops(false, total, capacity);
  }

  /** One warning per burst (and at most every WARN_INTERVAL_MS), with counts rather than per event. */
  reportDrops(burstOver: boolean, total: number, capacity: number): void {
    if (this.unreportedDrops === 0) return;
    const now = Date.now();
    if (!burstOver && now - this.lastDropWarnAt < WARN_INTERVAL_MS) return;
    this.logger.warn(
      { dropped: this.unreportedDrops, droppedTotal: total, capacity },
      'activity consumers fell behind the connector stream; oldest buffered events were dropped',
    );
    this.unreportedDrops = 0;
    this.lastDropWarnAt = now;
  }

  /** A received event the store could not take (Redis unreachable): counted; the stream cannot redeliver it. */
  storeFailed(): void {
    this.stats.recordRejected('stream', 'store_unavailable');
  }

  skipped(reason: string, detail: string): void {
    this.stats.recordRejected('stream', reason);
    this.malformedCounts.set(reason, (this.malformedCounts.get(reason) ?? 0) + 1);
    const now = Date.now();
    if (now - (this.malformedWarnAt.get(reason) ?? 0) < WARN_INTERVAL_MS) return;
    this.malformedWarnAt.set(reason, now);
    this.logger.warn({ reason, detail, skippedSoFar: this.malformedCounts.get(reason) }, 'skipped an unusable connector stream frame');
  }

  starting(): void {
    this.logger.log({ url: displayUrl(this.url) }, 'connector stream starting');
  }

  connected(): void {
    this.connectedSince = Date.now();
    this.failureLogged = false;
    this.up.set(1);
    this.failedGauge.set(0);
    this.logger.log({ url: displayUrl(this.url) }, 'connector stream connected');
  }

  disconnected(d: DisconnectInfo): void {
    this.connectedSince = undefined;
    this.up.set(0);
    this.reconnectsTotal.inc();
    const reason = d.reason === 'http_status' ? `http_${d.status}` : d.reason;
    this.disconnectsTotal.inc({ reason });
    this.lastError = { reason, status: d.status, detail: d.detail, at: new Date().toISOString() };
    if (d.permanent) {
      this.failedGauge.set(1);
      const hint = PERMANENT_HINTS[d.status ?? 0] ?? 'check STREAM_URL and UNKEY_API_KEY';
      if (!this.failureLogged) {
        this.failureLogged = true;
        this.logger.error({ status: d.status, retryInMs: d.retryInMs }, `connector stream refused with HTTP ${d.status}; ${hint}. Not retrying until the retry interval passes`);
      } else {
        this.logger.debug({ status: d.status, retryInMs: d.retryInMs }, 'connector stream still refused');
      }
      return;
    }
    this.failedGauge.set(0);
    this.logger.warn({ reason, status: d.status, detail: d.detail, attempt: d.attempt, retryInMs: d.retryInMs }, 'connector stream disconnected; reconnecting');
  }

  closed(drained: number): void {
    this.up.set(0);
    this.logger.log({ drained }, 'connector stream closed');
  }

  handlerFailed(err: unknown): void {
    this.logger.error({ err }, 'connector stream handler failed; the stream continues');
  }
}
