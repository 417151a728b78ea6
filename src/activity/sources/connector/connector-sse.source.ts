import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { EventSourceMessage } from 'eventsource-parser';
import { sourcesConfig, type ConfigOf } from '../../../config/config.namespaces';
import { HealthRegistry, type ComponentStatus } from '../../../observability/health.registry';
import { MetricsService } from '../../../observability/metrics.service';
import { ActivityIngestService } from '../../activity-ingest.service';
import { parseActivityEvent } from '../../activity.parser';
import type { ActivityEvent } from '../../activity.types';
import { IngestStats } from '../../ingest-stats.service';
import { ConnectorSseClient, type SseClientTimings } from './connector-sse.client';
import { ConnectorStreamTelemetry, displayUrl } from './connector-stream.telemetry';
import { SSE_CLIENT_TIMINGS } from './connector.constants';
import { StreamDrainScheduler } from './stream-drain.scheduler';

/**
 * Consumes the hosted connector's live SSE stream (STREAM_URL, Bearer UNKEY_API_KEY)
 * and publishes its `actions` and `summary` events to activity$. The socket reader
 * only parses and enqueues: events reach consumers through a bounded drop-oldest
 * buffer drained in short slices, so a slow consumer costs stale events (counted),
 * never a stalled or timed-out connection.
 */
/** Consecutive connections without data after which the stream is reported down. */
const FLAPS_DOWN = 5;

@Injectable()
export class ConnectorSseSource implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConnectorSseSource.name);
  private readonly telemetry: ConnectorStreamTelemetry;
  private readonly drain: StreamDrainScheduler<ActivityEvent>;
  private client?: ConnectorSseClient;

  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    private readonly ingest: ActivityIngestService,
    stats: IngestStats,
    private readonly health: HealthRegistry,
    metrics: MetricsService,
    @Optional() @Inject(SSE_CLIENT_TIMINGS) private readonly timingOverrides?: Partial<SseClientTimings>,
  ) {
    this.telemetry = new ConnectorStreamTelemetry(metrics, stats, cfg.streamUrl ?? '');
    this.drain = new StreamDrainScheduler<ActivityEvent>(cfg.streamBufferSize, (event) => this.publish(event), {
      onDepth: (n) => this.telemetry.depth(n),
      onIdle: () => this.telemetry.reportDrops(true, this.drain.dropped, this.drain.capacity),
    });
  }

  /** Mounted only when SOURCES contains stream (config validation then requires STREAM_URL). */
  onModuleInit(): void {
    this.health.register('connector_stream', () => this.status());
  }

  onApplicationBootstrap(): void {
    if (this.client) return;
    this.client = new ConnectorSseClient(
      {
        url: this.cfg.streamUrl!,
        token: this.cfg.unkeyApiKey,
        timings: { idleTimeoutMs: this.cfg.streamIdleTimeoutMs, connectTimeoutMs: this.cfg.streamConnectTimeoutMs, ...(this.timingOverrides ?? {}) },
      },
      {
        onFrame: (m) => this.onFrame(m),
        onConnected: () => this.telemetry.connected(),
        onDisconnected: (d) => this.telemetry.disconnected(d),
        onStateChange: (state) => this.logger.debug({ state }, 'connector stream state'),
        onHookError: (err) => this.telemetry.handlerFailed(err),
      },
    );
    this.telemetry.starting();
    this.client.start();
  }

  /**
   * Runs before ActivityModule completes activity$ (Nest destroys importing modules
   * first), so events still buffered reach consumers.
   */
  async onModuleDestroy(): Promise<void> {
    if (!this.client) return;
    await this.client.stop();
    const drained = this.drain.flush();
    this.telemetry.reportDrops(true, this.drain.dropped, this.drain.capacity);
    this.telemetry.closed(drained);
  }

  status(): ComponentStatus {
    const state = this.client?.state ?? 'idle';
    const t = this.telemetry;
    const iso = (ms?: number) => (ms ? new Date(ms).toISOString() : null);
    const flaps = this.client?.flaps ?? 0;
    // Flapping (opens, closes at once, no data): degraded at first, down once it persists, so readiness says so.
    const status = state === 'failed' || flaps >= FLAPS_DOWN ? 'down' : state === 'connected' && flaps === 0 ? 'up' : 'degraded';
    return {
      status,
      state,
      flapping: flaps > 0,
      short_connections: flaps,
      url: displayUrl(this.cfg.streamUrl ?? ''),
      reconnects: this.client?.reconnects ?? 0,
      connected_since: iso(t.connectedSince),
      last_event_at: iso(t.lastEventAt),
      last_frame_at: iso(t.lastFrameAt),
      buffered: this.drain.size,
      buffer_capacity: this.drain.capacity,
      dropped: this.drain.dropped,
      last_error: t.lastError ?? null,
    };
  }

  private onFrame(message: EventSourceMessage): void {
    if (message.event === 'heartbeat') return this.telemetry.frame('heartbeat');
    if (message.data.trim() === '') return this.telemetry.frame('empty');
    this.telemetry.frame('data');
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      return this.telemetry.skipped('invalid_json', `data is not JSON: ${message.data.slice(0, 80)}`);
    }
    const parsed = parseActivityEvent(json, 'stream');
    if (!parsed.ok) return this.telemetry.skipped(parsed.reason === 'unknown_type' ? 'unknown_type' : 'invalid_event', parsed.message);
    if (!parsed.event.sessionId) return this.telemetry.skipped('missing_session_id', 'event has no session_id');
    this.telemetry.event();
    this.telemetry.dropped(this.drain.push(parsed.event), this.drain.dropped, this.drain.capacity);
  }

  private publish(event: ActivityEvent): void {
    try {
      this.ingest.publish(event);
    } catch (err) {
      this.logger.error({ err, productId: event.productId, sessionId: event.sessionId }, 'publishing a stream event failed');
    }
  }
}
