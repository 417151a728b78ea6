import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { EventSourceMessage } from 'eventsource-parser';
import type { Counter, Gauge } from 'prom-client';
import { sourcesConfig, type ConfigOf } from '../../../config/config.namespaces';
import { HealthRegistry, type ComponentStatus } from '../../../observability/health.registry';
import { MetricsService } from '../../../observability/metrics.service';
import { ActivityIngestService } from '../../activity-ingest.service';
import { parseActivityEvent } from '../../activity.parser';
import type { ActivityEvent } from '../../activity.types';
import { IngestStats } from '../../ingest-stats.service';
import { ConnectorSseClient, type DisconnectInfo, type SseClientTimings, type StreamState } from './connector-sse.client';
import { DropOldestBuffer } from './drop-oldest.buffer';
import { SSE_CLIENT_TIMINGS } from './connector.constants';

/** Longest a drain pass runs before yielding, so the socket reader always gets a turn. */
const DRAIN_SLICE_MS = 5;
/** Drop and malformed-frame warnings are summaries, at most one per reason per interval. */
const WARN_INTERVAL_MS = 10_000;

const PERMANENT_HINTS: Record<number, string> = {
  400: 'check STREAM_URL: the connector refused the request (is the product registered in event_stream/sse mode?)',
  401: 'check UNKEY_API_KEY: the connector rejected the credential',
  403: 'check UNKEY_API_KEY: the credential is not allowed to read this stream',
  404: 'check STREAM_URL: the connector does not know this product',
};

/** The URL without query string or credentials, safe for logs and /healthz. */
function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/**
 * Consumes the hosted connector's live SSE stream (STREAM_URL, Bearer UNKEY_API_KEY)
 * and publishes its `actions` and `summary` events to activity$. The socket reader
 * only parses and enqueues: events reach consumers through a bounded drop-oldest
 * buffer drained in short slices, so a slow consumer costs stale events (counted),
 * never a stalled or timed-out connection.
 */
@Injectable()
export class ConnectorSseSource implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConnectorSseSource.name);
  private readonly buffer: DropOldestBuffer<ActivityEvent>;
  private client?: ConnectorSseClient;
  private draining = false;
  private connectedSince?: number;
  private lastEventAt?: number;
  private lastFrameAt?: number;
  private lastError?: { reason: string; status?: number; detail?: string; at: string };
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
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    private readonly ingest: ActivityIngestService,
    private readonly stats: IngestStats,
    private readonly health: HealthRegistry,
    metrics: MetricsService,
    @Optional() @Inject(SSE_CLIENT_TIMINGS) private readonly timingOverrides?: Partial<SseClientTimings>,
  ) {
    this.buffer = new DropOldestBuffer(cfg.streamBufferSize);
    this.up = metrics.gauge({ name: 'connector_stream_up', help: '1 while the connector SSE stream is connected' });
    this.failedGauge = metrics.gauge({ name: 'connector_stream_failed', help: '1 while the connector refuses the stream configuration (HTTP 400/401/403/404)' });
    this.reconnectsTotal = metrics.counter({ name: 'connector_stream_reconnects_total', help: 'Connector stream reconnection attempts' });
    this.disconnectsTotal = metrics.counter({ name: 'connector_stream_disconnects_total', help: 'Connector stream drops and failed attempts, by reason', labelNames: ['reason'] });
    this.framesTotal = metrics.counter({ name: 'connector_stream_frames_total', help: 'SSE frames read from the connector stream, by kind', labelNames: ['kind'] });
    this.lastEventGauge = metrics.gauge({ name: 'connector_stream_last_event_timestamp_seconds', help: 'Unix time of the last actions/summary event read from the stream' });
    this.bufferDepth = metrics.gauge({ name: 'connector_stream_buffer_depth', help: 'Stream events waiting for consumers' });
    this.droppedTotal = metrics.counter({ name: 'connector_stream_dropped_total', help: 'Stream events dropped (oldest first) because consumers fell behind' });
  }

  get enabled(): boolean {
    return Boolean(this.cfg.streamUrl);
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.health.register('connector_stream', () => this.status());
  }

  onApplicationBootstrap(): void {
    if (!this.enabled || this.client) return;
    const url = this.cfg.streamUrl!;
    this.client = new ConnectorSseClient(
      {
        url,
        token: this.cfg.unkeyApiKey,
        timings: { idleTimeoutMs: this.cfg.streamIdleTimeoutMs, connectTimeoutMs: this.cfg.streamConnectTimeoutMs, ...(this.timingOverrides ?? {}) },
      },
      {
        onFrame: (m) => this.onFrame(m),
        onConnected: () => this.onConnected(),
        onDisconnected: (d) => this.onDisconnected(d),
        onStateChange: (s) => this.onStateChange(s),
        onHookError: (err) => this.logger.error({ err }, 'connector stream handler failed; the stream continues'),
      },
    );
    this.logger.log({ url: displayUrl(url) }, 'connector stream starting');
    this.client.start();
  }

  /**
   * Runs before ActivityModule completes activity$ (Nest destroys importing modules
   * first), so events still buffered reach consumers.
   */
  async onModuleDestroy(): Promise<void> {
    if (!this.client) return;
    await this.client.stop();
    const rest = this.buffer.drain();
    for (const event of rest) this.publish(event);
    this.bufferDepth.set(0);
    this.up.set(0);
    this.reportDrops(true);
    this.logger.log({ drained: rest.length }, 'connector stream closed');
  }

  status(): ComponentStatus {
    const state = this.client?.state ?? 'idle';
    const iso = (t?: number) => (t ? new Date(t).toISOString() : null);
    return {
      status: state === 'connected' ? 'up' : state === 'failed' ? 'down' : 'degraded',
      state,
      url: displayUrl(this.cfg.streamUrl ?? ''),
      reconnects: this.client?.reconnects ?? 0,
      connected_since: iso(this.connectedSince),
      last_event_at: iso(this.lastEventAt),
      last_frame_at: iso(this.lastFrameAt),
      buffered: this.buffer.size,
      buffer_capacity: this.buffer.capacity,
      dropped: this.buffer.dropped,
      last_error: this.lastError ?? null,
    };
  }

  private onFrame(message: EventSourceMessage): void {
    this.lastFrameAt = Date.now();
    if (message.event === 'heartbeat') {
      this.framesTotal.inc({ kind: 'heartbeat' });
      return;
    }
    if (message.data.trim() === '') {
      this.framesTotal.inc({ kind: 'empty' });
      return;
    }
    this.framesTotal.inc({ kind: 'data' });
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      return this.skip('invalid_json', `data is not JSON: ${message.data.slice(0, 80)}`);
    }
    const parsed = parseActivityEvent(json, 'stream');
    if (!parsed.ok) return this.skip(parsed.reason === 'unknown_type' ? 'unknown_type' : 'invalid_event', parsed.message);
    if (!parsed.event.sessionId) return this.skip('missing_session_id', 'event has no session_id');

    this.lastEventAt = this.lastFrameAt;
    this.lastEventGauge.set(this.lastEventAt / 1000);
    const evicted = this.buffer.push(parsed.event);
    if (evicted > 0) {
      this.droppedTotal.inc(evicted);
      this.unreportedDrops += evicted;
      this.reportDrops(false);
    }
    this.bufferDepth.set(this.buffer.size);
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drainSlice());
  }

  private drainSlice(): void {
    const deadline = performance.now() + DRAIN_SLICE_MS;
    while (this.buffer.size > 0) {
      this.publish(this.buffer.shift()!);
      if (performance.now() >= deadline) break;
    }
    this.bufferDepth.set(this.buffer.size);
    if (this.buffer.size > 0) {
      setImmediate(() => this.drainSlice());
      return;
    }
    this.draining = false;
    this.reportDrops(true);
  }

  private publish(event: ActivityEvent): void {
    try {
      this.ingest.publish(event);
    } catch (err) {
      this.logger.error({ err, productId: event.productId, sessionId: event.sessionId }, 'publishing a stream event failed');
    }
  }

  /** One warning per burst (and at most every WARN_INTERVAL_MS), with counts rather than per event. */
  private reportDrops(burstOver: boolean): void {
    if (this.unreportedDrops === 0) return;
    const now = Date.now();
    if (!burstOver && now - this.lastDropWarnAt < WARN_INTERVAL_MS) return;
    this.logger.warn(
      { dropped: this.unreportedDrops, droppedTotal: this.buffer.dropped, capacity: this.buffer.capacity },
      'activity consumers fell behind the connector stream; oldest buffered events were dropped',
    );
    this.unreportedDrops = 0;
    this.lastDropWarnAt = now;
  }

  private skip(reason: string, detail: string): void {
    this.stats.recordRejected('stream', reason);
    this.malformedCounts.set(reason, (this.malformedCounts.get(reason) ?? 0) + 1);
    const now = Date.now();
    if (now - (this.malformedWarnAt.get(reason) ?? 0) < WARN_INTERVAL_MS) return;
    this.malformedWarnAt.set(reason, now);
    this.logger.warn({ reason, detail, skippedSoFar: this.malformedCounts.get(reason) }, 'skipped an unusable connector stream frame');
  }

  private onConnected(): void {
    this.connectedSince = Date.now();
    this.failureLogged = false;
    this.up.set(1);
    this.failedGauge.set(0);
    this.logger.log({ url: displayUrl(this.cfg.streamUrl ?? '') }, 'connector stream connected');
  }

  private onDisconnected(d: DisconnectInfo): void {
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

  private onStateChange(state: StreamState): void {
    this.logger.debug({ state }, 'connector stream state');
  }
}
