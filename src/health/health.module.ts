import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthReport } from './health.report';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsListener } from './metrics.listener';

/** /healthz, /readyz and /metrics; component status comes from the observability registry. */
@Module({
  controllers: [HealthController],
  providers: [HealthReport, MetricsAccessGuard, MetricsListener],
})
export class HealthModule {}
