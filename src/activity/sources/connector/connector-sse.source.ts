import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { EventSourceMessage } from 'eventsource-parser';
import { sourcesConfig, storeConfig, type ConfigOf } from '../../../config/config.namespaces';
import type { RedisConnection } from '../../../redis/redis-connection';
import { LeaseKeeper } from '../../../redis/redis-lease-keeper';
import { RedisLease } from '../../../redis/redis-lease';
import { REDIS_CONNECTION } from '../../../redis/redis.constants';
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
  private keeper?: LeaseKeeper;
  private lease?: RedisLease;
  /** Why this replica is not reading the stream (another holds the lease, or ROLE=web). */
  private standby?: string;

  constructor(
    @Inject(sourcesConfig.KEY) private readonly cfg: ConfigOf<typeof sourcesConfig>,
    @Inject(storeConfig.KEY) private readonly store: ConfigOf<typeof storeConfig>,
    @Inject(REDIS_CONNECTION) private readonly redis: RedisConnection | null,
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

  /**
   * ROLE=web never reads the stream (workers do). With STORE=redis exactly one replica
   * reads it: the holder of a Redis lease (STREAM_LEASE_MS), which another replica takes
   * over within the lease time if the holder dies. The connector has no replay, so what
   * it sends during a hand-over is missed, never read twice.
   */
  onApplicationBootstrap(): void {
    if (this.client || this.keeper) return;
    if (this.store.role === 'web') {
      this.standby = 'ROLE=web: worker replicas read the stream';
      return;
    }
    if (this.store.driver !== 'redis' || !this.redis) return this.startClient();
    this.lease = new RedisLease({ connection: this.redis, name: 'connector-stream', leaseMs: this.store.streamLeaseMs });
    this.standby = 'waiting for the stream lease';
    this.keeper = new LeaseKeeper(this.lease, {
      renewMs: Math.max(200, Math.floor(this.store.streamLeaseMs / 3)),
      onAcquired: () => {
        this.standby = undefined;
        this.logger.log({ holder: this.lease?.holderId }, 'this replica holds the connector stream lease; reading the stream');
        this.startClient();
      },
      onLost: async (reason) => {
        this.standby = `lease lost (${reason})`;
        this.logger.warn({ reason }, 'connector stream lease lost; stopped reading the stream');
        await this.stopClient();
      },
    });
    this.keeper.start();
  }

  private startClient(): void {
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

  private async stopClient(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    await client.stop();
    const drained = await this.drain.flush();
    this.telemetry.reportDrops(true, this.drain.dropped, this.drain.capacity);
    this.telemetry.closed(drained);
  }

  /**
   * Runs before ActivityModule completes activity$ (Nest destroys importing modules
   * first), so events still buffered reach consumers. The lease is released after the
   * client stopped, so a successor can start at once.
   */
  async onModuleDestroy(): Promise<void> {
    if (this.keeper) {
      await this.keeper.stop();
      await this.lease?.close();
    }
    await this.stopClient();
  }

  async status(): Promise<ComponentStatus> {
    if (!this.client && this.standby) {
      const holder = await this.lease?.holder().catch(() => null);
      return { status: 'up', state: 'standby', reason: this.standby, url: displayUrl(this.cfg.streamUrl ?? ''), lease_holder: holder?.holderId ?? null };
    }
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
      ...(this.lease ? { lease_holder: this.lease.holderId } : {}),
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

  private publish(event: ActivityEvent): Promise<void> {
    return this.ingest.publish(event).then(undefined, (err: unknown) => {
      this.telemetry.storeFailed();
      this.logger.error({ err: err instanceof Error ? err.message : String(err), productId: event.productId, sessionId: event.sessionId }, 'a stream event could not be stored');
    });
  }
}
