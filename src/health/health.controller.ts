import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SECURITY } from '../common/openapi.decorators';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { type ComponentStatus } from '../observability/health.registry';
import { MetricsService } from '../observability/metrics.service';
import { HealthReport, type Liveness, type Readiness } from './health.report';
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

@ApiTags('operations')
@SkipThrottle()
@Controller()
export class HealthController {
  constructor(
    private readonly report: HealthReport,
    private readonly metrics: MetricsService,
  ) {}

  /** Liveness: answers while the process serves HTTP, with counts for a quick look. */
  @Get('healthz')
  @ApiOkResponse({ type: HealthzDto })
  healthz(): Promise<Liveness> {
    return this.report.liveness();
  }

  /** Readiness: 503 when the store is unreachable, a configured source is down, or the process is shutting down. */
  @Get('readyz')
  @ApiResponse({ status: 200, description: 'Ready: `{status: "ok", info, error: {}, details}`' })
  @ApiResponse({ status: 503, description: 'Not ready: `{status: "error", info, error, details}`, `error` naming what is down' })
  async readyz(@Res({ passthrough: true }) res: Response): Promise<Readiness> {
    const r = await this.report.readiness();
    res.status(r.status === 'ok' ? 200 : 503);
    return r;
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
