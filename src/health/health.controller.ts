import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SECURITY } from '../common/openapi.decorators';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthRegistry, type ComponentStatus } from '../observability/health.registry';
import { MetricsService } from '../observability/metrics.service';
import { ShutdownState } from '../observability/shutdown.state';
import { MetricsAccessGuard } from './metrics-access.guard';

class HealthzDto {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: string;
  @ApiProperty() uptime_s!: number;
  @ApiProperty() users_tracked!: number;
  @ApiProperty() sessions_tracked!: number;
  @ApiProperty() events_ingested!: number;
  @ApiProperty() events_rejected!: number;
  @ApiProperty({ description: 'Per-component status (store, stream source, queues …)' }) components!: Record<string, ComponentStatus>;
}

const count = (c: ComponentStatus | undefined, field: string): number => (typeof c?.[field] === 'number' ? (c[field] as number) : 0);

@ApiTags('operations')
@SkipThrottle()
@Controller()
export class HealthController {
  private readonly startedAt = Date.now();

  constructor(
    private readonly registry: HealthRegistry,
    private readonly metrics: MetricsService,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness: answers while the process serves HTTP, with counts for a quick look. */
  @Get('healthz')
  @ApiOkResponse({ type: HealthzDto })
  async healthz(): Promise<HealthzDto> {
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

  /** Readiness: 503 when the store is unreachable, a configured source is down, or the process is shutting down. */
  @Get('readyz')
  @HealthCheck()
  async readyz() {
    const components = await this.registry.collect();
    if (this.shutdown.shuttingDown) components.lifecycle = { status: 'down', state: 'shutting_down' };
    return this.health.check(
      Object.entries(components).map(([name, c]) => () => {
        const { status, ...details } = c;
        const session = this.indicators.check(name);
        return status === 'down' ? session.down(details) : session.up(details);
      }),
    );
  }

  @Get('metrics')
  @UseGuards(MetricsAccessGuard)
  @ApiOperation({ summary: 'Prometheus metrics (Bearer METRICS_TOKEN when set; absent here when METRICS_PORT serves them, or in production without a token)' })
  @ApiSecurity(SECURITY.metricsToken)
  @ApiErrors(401, 404)
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format' })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.render();
  }
}
