import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HotRouteRegistry, type HotReply, type HotRoute } from '../common/hot-routes';
import { HealthRegistry, type ComponentStatus } from '../observability/health.registry';
import { ShutdownState } from '../observability/shutdown.state';

export interface Liveness {
  status: 'ok' | 'degraded';
  uptime_s: number;
  users_tracked: number;
  sessions_tracked: number;
  events_ingested: number;
  events_rejected: number;
  components: Record<string, ComponentStatus>;
}

/** The readiness answer, in the shape @nestjs/terminus gives (`info` up, `error` down, `details` all). */
export interface Readiness {
  status: 'ok' | 'error';
  info: Record<string, ComponentStatus>;
  error: Record<string, ComponentStatus>;
  details: Record<string, ComponentStatus>;
}

const count = (c: ComponentStatus | undefined, field: string): number => (typeof c?.[field] === 'number' ? (c[field] as number) : 0);

/**
 * What /healthz and /readyz say, from the components in the observability registry.
 * Both are served by the fast lane (probes come often, from every load balancer and
 * orchestrator) and by HealthController when the lane is off; this is the one logic.
 */
@Injectable()
export class HealthReport implements OnModuleInit {
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: HealthRegistry,
    private readonly shutdown: ShutdownState,
    private readonly hotRoutes: HotRouteRegistry,
  ) {}

  onModuleInit(): void {
    this.hotRoutes.register(route('/healthz', async () => ({ status: 200, body: await this.liveness() })));
    this.hotRoutes.register(
      route('/readyz', async () => {
        const r = await this.readiness();
        return { status: r.status === 'ok' ? 200 : 503, body: r };
      }),
    );
  }

  /** Liveness: answers while the process serves HTTP, with counts for a quick look. */
  async liveness(): Promise<Liveness> {
    const components = await this.registry.collect();
    const degraded = Object.values(components).some((c) => c.status !== 'up');
    return {
      status: degraded ? 'degraded' : 'ok',
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      users_tracked: count(components.session_store, 'users_tracked'),
      sessions_tracked: count(components.session_store, 'sessions_tracked'),
      events_ingested: count(components.ingest, 'events_ingested'),
      events_rejected: count(components.ingest, 'events_rejected'),
      components,
    };
  }

  /** Readiness: not ready when any component is down (the store unreachable, a source down, a credential rejected) or the process is shutting down. */
  async readiness(): Promise<Readiness> {
    const components = await this.registry.collect();
    if (this.shutdown.shuttingDown) components.lifecycle = { status: 'down', state: 'shutting_down' };
    const info: Record<string, ComponentStatus> = {};
    const error: Record<string, ComponentStatus> = {};
    const details: Record<string, ComponentStatus> = {};
    for (const [name, c] of Object.entries(components)) {
      const { status, ...rest } = c;
      const entry = { status: status === 'down' ? 'down' : 'up', ...rest } as ComponentStatus;
      details[name] = entry;
      (status === 'down' ? error : info)[name] = entry;
    }
    return { status: Object.keys(error).length > 0 ? 'error' : 'ok', info, error, details };
  }
}

function route(path: string, handle: () => Promise<HotReply>): HotRoute {
  return { method: 'GET', path, handle };
}
